package dev.wiretap.proxy.mock;

import dev.wiretap.config.file.RespondRuleText;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A recorded flow turned into a mock: a rule that answers the same request (same method, host, path and query, and
 * port unless it is the scheme's own)
 * with the recorded response, without the origin. The answer keeps the status, the fields in their order (less those
 * of the original connection and its framing, and Date), and the body exactly as it flowed: a compressed body stays
 * compressed, with its Content-Encoding, so the client decodes it as it did. A small identity-coded text body is
 * written into the rule; any other goes to a file beside the config ({@code body_file}). For the console's
 * {@code mock} command and any other face of wiretap; {@link MockWriter} adds it to a config file. Immutable.
 */
public final class FlowMock {

    /** Text bodies up to this size go into the rule itself; larger ones, to a file. */
    static final int MAX_INLINE_BYTES = 8 * 1024;

    private static final Set<String> LEFT_OUT = Set.of("connection", "keep-alive", "proxy-connection", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "date");

    private final long flowId;
    private final String summary;
    private final String match;
    private final int status;
    private final List<Map.Entry<String, String>> fields;
    private final byte[] body;
    private final Optional<String> inlineText;
    private final String bodyFileName;
    private final List<String> notes;

    private FlowMock(long flowId, String summary, String match, int status, List<Map.Entry<String, String>> fields,
                     byte[] body, Optional<String> inlineText, String bodyFileName, List<String> notes) {
        this.flowId = flowId;
        this.summary = summary;
        this.match = match;
        this.status = status;
        this.fields = List.copyOf(fields);
        this.body = body;
        this.inlineText = inlineText;
        this.bodyFileName = bodyFileName;
        this.notes = List.copyOf(notes);
    }

    /**
     * The mock of {@code flow}, which must have ended with a final response whose body was captured whole.
     *
     * @throws IllegalArgumentException when the flow cannot be mocked faithfully, saying why
     */
    public static FlowMock of(Flow flow) {
        long id = flow.id();
        if (flow.request().isMethod("CONNECT")) {
            throw new IllegalArgumentException("flow " + id + " is a CONNECT tunnel: there is no request in it to answer");
        }
        Destination d = flow.request().destination().orElseThrow(() -> new IllegalArgumentException(
                "flow " + id + "'s request was not read as far as its URL"));
        if (!flow.isDone()) {
            throw new IllegalArgumentException("flow " + id + " has not ended yet");
        }
        if (flow.error().isPresent()) {
            // wiretap's own 502 or 504, or an origin's answer cut short: nothing an origin said whole.
            throw new IllegalArgumentException("flow " + id + " failed (" + flow.error().get().message()
                    + "): it has no whole response of the origin's to answer with");
        }
        Response response = flow.response().orElseThrow(() -> new IllegalArgumentException("flow " + id
                + " has no response to answer with"));
        if (response.status() < 200) {
            throw new IllegalArgumentException("flow " + id + " ended in " + response.status() + " " + response.reason()
                    + ": a rule answers with a final status (200 to 599)");
        }
        Body recorded = response.body();
        if (recorded.isTruncated()) {
            throw new IllegalArgumentException("flow " + id + "'s response body was cut at the capture cap ("
                    + recorded.capturedLength() + " of " + recorded.size() + " bytes captured): a mock would answer with"
                    + " part of it; raise capture.max_body and record the flow again");
        }
        List<String> notes = new ArrayList<>();
        List<Map.Entry<String, String>> fields = fields(response.headers(), notes);
        byte[] bytes = recorded.bytes();
        boolean encoded = response.headers().first("Content-Encoding").map(v -> !v.isBlank() && !v.strip().equalsIgnoreCase("identity"))
                .orElse(false);
        Optional<String> inline = encoded || bytes.length > MAX_INLINE_BYTES ? Optional.empty() : text(bytes);
        String file = "mocks/flow-" + id + extension(response.headers());
        String summary = "from flow " + id + ": " + flow.request().method() + " " + d.url() + ", " + response.status();
        return new FlowMock(id, summary, match(flow.request().method(), d), response.status(), fields, bytes, inline, file, notes);
    }

    /** The rule's name: {@code mock flow 12}. */
    public String ruleName() {
        return "mock flow " + flowId;
    }

    /** The filter that selects the same request: method, host (and port unless the scheme's own), path and query. */
    public String match() {
        return match;
    }

    public int status() {
        return status;
    }

    /** The answer's fields in order, one per name. */
    public List<Map.Entry<String, String>> fields() {
        return fields;
    }

    /** The answer's body as it flowed (a copy). */
    public byte[] body() {
        return body.clone();
    }

    /** Whether the body goes into the rule (text, small, not content-coded) rather than a file. */
    public boolean hasInlineBody() {
        return body.length == 0 || inlineText.isPresent();
    }

    /** Where the body goes when it is not inline: relative to the config file's directory ({@code mocks/flow-12.json}). */
    public String bodyFileName() {
        return bodyFileName;
    }

    /** What the mock does not reproduce, in a line each (also comments in the rule). */
    public List<String> notes() {
        return notes;
    }

    /**
     * The rule as config text, its body inline or, when it is not, in {@code bodyFile} (a path relative to the config
     * file's directory; {@link #bodyFileName} unless that was taken).
     */
    public RespondRuleText rule(String bodyFile) {
        RespondRuleText.Body answer = body.length == 0 ? new RespondRuleText.Body.None()
                : inlineText.<RespondRuleText.Body>map(RespondRuleText.Body.Inline::new)
                        .orElseGet(() -> new RespondRuleText.Body.File(bodyFile));
        List<String> comments = new ArrayList<>();
        comments.add(summary);
        comments.addAll(notes);
        return new RespondRuleText(ruleName(), match, status, fields, answer, comments);
    }

    /**
     * The filter for the request: {@code method:GET host:api.example.com path:/^\/user\?id=1$/}. The path with its
     * query as an anchored regular expression, as a plain path would match as a prefix and a glob would take {@code ?}
     * for any character; a non-default port as a {@code url:} word, as {@code host:} names the host alone.
     */
    static String match(String method, Destination d) {
        StringBuilder sb = new StringBuilder("method:").append(method).append(" host:").append(word(d.host()));
        if (d.port() != Destination.defaultPort(d.scheme())) {
            sb.append(" url:\"://").append(d.authority()).append("/\"");
        }
        return sb.append(" path:/^").append(regex(d.pathAndQuery())).append("$/").toString();
    }

    /** A host as a filter word: quoted when it holds a colon (IPv6), as a bare word would still read but less clearly. */
    private static String word(String host) {
        return host.indexOf(':') >= 0 ? "\"" + host + "\"" : host;
    }

    /**
     * The path as a regular expression matching it alone. Regular-expression characters are escaped; '/' is written
     * {@code \/} (the filter's delimiter); ')', '|' and '&' as {@code \x29}, {@code \x7c}, {@code \x26}, since the
     * filter's reader ends a term at them before it sees the escape; a backslash as {@code \x5c}.
     */
    static String regex(String path) {
        StringBuilder sb = new StringBuilder(path.length() + 16);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            switch (c) {
                case '/' -> sb.append("\\/");
                case ')' -> sb.append("\\x29");
                case '|' -> sb.append("\\x7c");
                case '&' -> sb.append("\\x26");
                case '\\' -> sb.append("\\x5c"); // "\\/" would read as an escaped '/'
                case '.', '?', '*', '+', '^', '$', '[', ']', '{', '}', '(' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The response's fields for the rule: in order, less those of the connection and its framing (which wiretap makes
     * for its answer) and Date (the answer's is not the recording's). Repeated fields are joined with ", " (RFC 9110
     * section 5.3); Set-Cookie, which cannot be joined, keeps its first, and a note says how many were left out.
     */
    private static List<Map.Entry<String, String>> fields(Headers headers, List<String> notes) {
        Set<String> named = new java.util.HashSet<>();
        for (String value : headers.all("Connection")) {
            for (String token : value.split(",")) {
                named.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        Map<String, String[]> byName = new LinkedHashMap<>();
        int cookiesLeftOut = 0;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (LEFT_OUT.contains(lower) || named.contains(lower)) {
                continue;
            }
            String[] field = byName.get(lower);
            if (field == null) {
                byName.put(lower, new String[] {name, headers.value(i)});
            } else if (lower.equals("set-cookie")) {
                cookiesLeftOut++;
            } else {
                field[1] = field[1] + ", " + headers.value(i);
            }
        }
        if (cookiesLeftOut > 0) {
            notes.add("left out: " + cookiesLeftOut + " more Set-Cookie field" + (cookiesLeftOut == 1 ? "" : "s")
                    + " (a rule's answer has one field of each name)");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(byName.size());
        byName.values().forEach(f -> fields.add(Map.entry(f[0], f[1])));
        return fields;
    }

    /** The body as text, if it is UTF-8 with no control characters but tabs and line breaks. */
    private static Optional<String> text(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7F) {
                return Optional.empty();
            }
        }
        return Optional.of(text);
    }

    /** A file name ending for the body: its type's ({@code .json}), then its coding's ({@code .gz}). */
    private static String extension(Headers headers) {
        String type = headers.first("Content-Type").map(t -> t.split(";", 2)[0].strip().toLowerCase(Locale.ROOT)).orElse("");
        String ext = switch (type) {
            case "application/json" -> ".json";
            case "text/html" -> ".html";
            case "text/plain" -> ".txt";
            case "text/css" -> ".css";
            case "text/javascript", "application/javascript" -> ".js";
            case "application/xml", "text/xml" -> ".xml";
            case "image/png" -> ".png";
            case "image/jpeg" -> ".jpg";
            case "image/gif" -> ".gif";
            case "image/webp" -> ".webp";
            case "image/svg+xml" -> ".svg";
            case "application/pdf" -> ".pdf";
            default -> type.endsWith("+json") ? ".json" : type.endsWith("+xml") ? ".xml" : ".bin";
        };
        String coding = headers.first("Content-Encoding").map(c -> c.strip().toLowerCase(Locale.ROOT)).orElse("");
        return ext + switch (coding) {
            case "gzip", "x-gzip" -> ".gz";
            case "br" -> ".br";
            case "zstd" -> ".zst";
            case "deflate" -> ".deflate";
            default -> "";
        };
    }
}
