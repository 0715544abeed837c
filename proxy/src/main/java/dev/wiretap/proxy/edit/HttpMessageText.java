package dev.wiretap.proxy.edit;

import dev.wiretap.config.Limits;
import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http1.RequestParser;
import dev.wiretap.proxy.http1.ResponseParser;
import dev.wiretap.proxy.io.ReadTimer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Requests and responses as HTTP/1.1 text for the user's editor ({@code $EDITOR}), and the edited text read back
 * into an {@link EditedRequest} or {@link EditedResponse}. Used by the console's {@code edit} (a paused flow) and
 * {@code replay} (a request sent again).
 *
 * <p>The text: the start line, the fields in wire order one per line ({@code Name: value}, the name's case kept), an
 * empty line, then the body. A request's start line carries the full URL ({@code https://host/path}), so an edit can
 * send it elsewhere; a path alone keeps the request's origin. The body is shown as text when it is text, its content
 * codings undone (gzip, br, ...), in the charset its Content-Type names ({@link BodyText}); any other body is one
 * placeholder line {@code [[wiretap: ...]]}: left as it is, the body is kept; deleted, the body becomes empty; replaced
 * with text, that text is sent. The text ends with a newline after the body, which is not part of it (editors end
 * files with one), so a body ending in a newline shows one more.
 *
 * <p>Reading back: lines may end in LF or CRLF. Each fault is reported with its line and reason
 * ({@link MessageTextException}) so the editor can be opened again. The head is then read by wiretap's own codec
 * ({@link RequestParser}, {@link ResponseParser}) with the proxy's limits, so what passes here passes on the wire.
 * When the body is replaced, it is encoded with the codings the edited Content-Encoding names (the same as before
 * unless the user changed or removed the field), Transfer-Encoding is dropped (the text is the payload, no longer
 * chunked) and Content-Length is set to the length of the bytes sent. The version on the start line is checked but
 * not applied: wiretap sends HTTP/1.1 upstream and answers the client in its own version.
 *
 * <p>Stateless and thread-safe.
 */
public final class HttpMessageText {

    private final Limits limits;
    private final RequestParser requestParser;
    private final ResponseParser responseParser;

    public HttpMessageText(Limits limits) {
        this.limits = limits;
        this.requestParser = new RequestParser(limits);
        this.responseParser = new ResponseParser(limits);
    }

    /**
     * The request as text.
     *
     * @param bodyEditable whether its body is all there (held whole, or captured whole): if not, a placeholder says
     *                     it goes on as it is
     */
    public String request(Request request, boolean bodyEditable) {
        StringBuilder sb = new StringBuilder();
        sb.append(request.method()).append(' ').append(request.url()).append(' ').append(request.version().text()).append('\n');
        appendFields(sb, request.headers());
        sb.append('\n');
        BodyText.append(sb, request.body(), request.headers(), bodyEditable);
        return sb.toString();
    }

    /** The response as text; {@code bodyEditable} as for {@link #request}. */
    public String response(Response response, boolean bodyEditable) {
        StringBuilder sb = new StringBuilder();
        sb.append(response.version().text()).append(' ').append(response.status());
        if (!response.reason().isEmpty()) {
            sb.append(' ').append(response.reason());
        }
        sb.append('\n');
        appendFields(sb, response.headers());
        sb.append('\n');
        BodyText.append(sb, response.body(), response.headers(), bodyEditable);
        return sb.toString();
    }

    private static void appendFields(StringBuilder sb, Headers headers) {
        for (int i = 0; i < headers.size(); i++) {
            if (headers.isPseudo(i)) {
                continue; // HTTP/2's pseudo-header fields are the start line here
            }
            sb.append(headers.name(i)).append(": ").append(headers.value(i)).append('\n');
        }
    }

    /**
     * Reads an edited request.
     *
     * @throws MessageTextException naming the line and the fault
     */
    public EditedRequest parseRequest(String text) throws MessageTextException {
        Message m = split(text);
        String[] start = startLine(m, "METHOD URL HTTP/1.1");
        String method = start[0];
        if (!isToken(method)) {
            throw new MessageTextException(1, "'" + method + "' is not a valid method");
        }
        if (method.equals("CONNECT")) {
            throw new MessageTextException(1, "a request cannot be edited into a CONNECT");
        }
        checkVersion(start[2]);
        String target = start[1];
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new MessageTextException(1, "the URL holds a space, control or non-ASCII character at " + (i + 1)
                        + " (percent-encode it)");
            }
        }
        List<Field> fields = fields(m);
        checkSingleHost(fields);
        Optional<byte[]> body = body(m, fields);
        byte[] head = head(start[0] + " " + target + " " + start[2], fields);
        Request parsed;
        try {
            parsed = requestParser.read(input(head)).orElseThrow(() -> new MessageTextException(1, "no request line"));
        } catch (ProtocolException e) {
            throw new MessageTextException(0, e.reason());
        } catch (IOException e) {
            throw new MessageTextException(0, "the head does not end: " + e.getMessage());
        }
        try {
            return body.isPresent() ? EditedRequest.withBody(method, target, parsed.headers(), body.get())
                    : EditedRequest.keepingBody(method, target, parsed.headers());
        } catch (IllegalArgumentException e) {
            throw new MessageTextException(1, e.getMessage());
        }
    }

    /**
     * Reads an edited response.
     *
     * @throws MessageTextException naming the line and the fault
     */
    public EditedResponse parseResponse(String text) throws MessageTextException {
        Message m = split(text);
        if (m.lines.isEmpty()) {
            throw new MessageTextException(1, "the message is empty; expected a status line like 'HTTP/1.1 200 OK'");
        }
        String line = m.lines.get(0);
        if (!line.startsWith("HTTP/")) {
            throw new MessageTextException(1, "expected a status line like 'HTTP/1.1 200 OK'");
        }
        int space = line.indexOf(' ');
        if (space < 0) {
            throw new MessageTextException(1, "expected a status line like 'HTTP/1.1 200 OK'");
        }
        checkVersion(line.substring(0, space));
        String rest = line.substring(space + 1);
        String code = rest.length() >= 3 ? rest.substring(0, 3) : rest;
        if (code.length() != 3 || !code.chars().allMatch(c -> c >= '0' && c <= '9') || (rest.length() > 3 && rest.charAt(3) != ' ')) {
            throw new MessageTextException(1, "the status must be three digits, like 200");
        }
        int status = Integer.parseInt(code);
        if (status < 100) {
            throw new MessageTextException(1, "status " + code + " is not a status (100 to 999)");
        }
        String reason = rest.length() > 4 ? rest.substring(4) : "";
        for (int i = 0; i < reason.length(); i++) {
            if (!FieldChars.isFieldValueChar(reason.charAt(i))) {
                throw new MessageTextException(1, "the reason phrase holds a control or non-Latin-1 character at " + (i + 1));
            }
        }
        List<Field> fields = fields(m);
        Optional<byte[]> body = body(m, fields);
        byte[] head = head(line, fields);
        Response parsed;
        try {
            parsed = responseParser.read(input(head));
        } catch (ProtocolException e) {
            throw new MessageTextException(0, e.reason().replace("origin sent ", ""));
        } catch (IOException e) {
            throw new MessageTextException(0, "the head does not end: " + e.getMessage());
        }
        return body.isPresent() ? EditedResponse.withBody(status, reason, parsed.headers(), body.get())
                : EditedResponse.keepingBody(status, reason, parsed.headers());
    }

    /** The text cut into head lines (without line ends) and the body text, if an empty line came. */
    private record Message(List<String> lines, String bodyText, int bodyLine, boolean crlf) {
    }

    private record Field(String name, String value, int line) {
    }

    private static Message split(String text) {
        List<String> lines = new ArrayList<>();
        int p = 0;
        boolean crlf = false;
        while (p < text.length()) {
            int nl = text.indexOf('\n', p);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(p, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
                crlf = true;
            }
            p = nl < 0 ? text.length() : nl + 1;
            if (line.isEmpty() && !lines.isEmpty()) {
                return new Message(lines, text.substring(p), lines.size() + 2, crlf);
            }
            if (!line.isEmpty() || !lines.isEmpty()) {
                lines.add(line);
            }
        }
        return new Message(lines, null, lines.size() + 1, crlf);
    }

    private static String[] startLine(Message m, String shape) throws MessageTextException {
        if (m.lines.isEmpty()) {
            throw new MessageTextException(1, "the message is empty; expected '" + shape + "'");
        }
        String[] parts = m.lines.get(0).split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new MessageTextException(1, "expected '" + shape + "' (three parts separated by single spaces)");
        }
        return parts;
    }

    private static void checkVersion(String version) throws MessageTextException {
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0") && !version.equals("HTTP/2.0")) {
            throw new MessageTextException(1, "the version must be HTTP/1.1, HTTP/1.0 or HTTP/2.0, not '" + version + "'");
        }
    }

    private List<Field> fields(Message m) throws MessageTextException {
        List<Field> fields = new ArrayList<>();
        for (int i = 1; i < m.lines.size(); i++) {
            int lineNo = i + 1;
            String line = m.lines.get(i);
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new MessageTextException(lineNo, "a line starting with whitespace (a folded field) is not allowed;"
                        + " join it to the line above");
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new MessageTextException(lineNo, "'" + line + "' is not a field (Name: value); an empty line must"
                        + " come before the body");
            }
            String name = line.substring(0, colon);
            if (name.isEmpty()) {
                throw new MessageTextException(lineNo, "the field has no name");
            }
            for (int k = 0; k < name.length(); k++) {
                if (!FieldChars.isTchar(name.charAt(k))) {
                    throw new MessageTextException(lineNo, "'" + name + "' is not a valid field name (character "
                            + (k + 1) + (name.charAt(k) == ' ' ? " is a space" : "") + ")");
                }
            }
            String value = line.substring(colon + 1).strip();
            for (int k = 0; k < value.length(); k++) {
                if (!FieldChars.isFieldValueChar(value.charAt(k))) {
                    throw new MessageTextException(lineNo, "the value of " + name + " holds a control or non-Latin-1"
                            + " character at " + (k + 1));
                }
            }
            fields.add(new Field(name, value, lineNo));
        }
        if (fields.size() > limits.maxHeaderCount()) {
            throw new MessageTextException(fields.get(limits.maxHeaderCount()).line(),
                    "more than " + limits.maxHeaderCount() + " fields");
        }
        return fields;
    }

    private static void checkSingleHost(List<Field> fields) throws MessageTextException {
        Field host = null;
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase("Host")) {
                if (host != null) {
                    throw new MessageTextException(f.line(), "a second Host field (line " + host.line() + " has one)");
                }
                host = f;
            }
        }
    }

    /**
     * The new body, or empty to keep the message's own (the placeholder line left as it is). When there is a new
     * body, the framing fields in {@code fields} are fixed to fit it.
     */
    private static Optional<byte[]> body(Message m, List<Field> fields) throws MessageTextException {
        String text = m.bodyText == null ? "" : m.bodyText;
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
            if (m.crlf && text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
        }
        if (BodyText.isPlaceholder(text)) {
            return Optional.empty();
        }
        Headers h = new Headers();
        fields.forEach(f -> h.add(f.name(), f.value()));
        int codingLine = fields.stream().filter(f -> f.name().equalsIgnoreCase("Content-Encoding")).mapToInt(Field::line)
                .findFirst().orElse(m.bodyLine);
        byte[] bytes = BodyText.encode(text, h, m.bodyLine, codingLine);
        int firstFraming = -1;
        for (int i = fields.size() - 1; i >= 0; i--) {
            String name = fields.get(i).name().toLowerCase(Locale.ROOT);
            if (name.equals("transfer-encoding") || name.equals("content-length")) {
                firstFraming = i;
                fields.remove(i);
            }
        }
        if (bytes.length > 0 || firstFraming >= 0) {
            // Where the framing stood, so that the fields keep their order; else at the end.
            fields.add(firstFraming >= 0 ? firstFraming : fields.size(),
                    new Field("Content-Length", Integer.toString(bytes.length), 0));
        }
        return Optional.of(bytes);
    }

    private static byte[] head(String startLine, List<Field> fields) {
        StringBuilder sb = new StringBuilder(startLine).append("\r\n");
        for (Field f : fields) {
            sb.append(f.name()).append(": ").append(f.value()).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static HttpInput input(byte[] head) {
        return new HttpInput(new ByteArrayInputStream(head), Math.max(head.length, 64), ReadTimer.NONE);
    }

    private static boolean isToken(String s) {
        return !s.isEmpty() && s.chars().allMatch(FieldChars::isTchar);
    }
}
