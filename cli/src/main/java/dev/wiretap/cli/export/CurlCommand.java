package dev.wiretap.cli.export;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A curl command line that sends a recorded request again, straight to the origin: the method, the URL, the fields
 * in their order and the body as they flowed, quoted for the shell ({@link ShellQuote}). Left out are the fields
 * that belonged to the hop to wiretap (Connection and what it names, Keep-Alive, Proxy-*, TE, Trailer,
 * Transfer-Encoding, Upgrade) and Content-Length, which curl computes; and curl is told not to add the User-Agent,
 * Accept, Content-Type or Expect fields of its own that the request did not have.
 *
 * <p>A body goes in {@code --data-binary} ({@code --data-raw} when it starts with {@code @}, which curl would read
 * as a file name); one that no argument can carry (a NUL byte, or over {@value #MAX_ARGUMENT_BYTES} bytes) is piped
 * in by {@code printf}. A body the capture cap cut is sent as captured, and a comment line above the command says so.
 * Immutable.
 *
 * @param text  the command, ready to paste into bash or zsh: comment lines first, then {@code curl} with one
 *              option a line
 * @param notes what the comment lines say (empty when the command reproduces the request exactly)
 */
public record CurlCommand(String text, List<String> notes) {

    /** Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN); stay well below. */
    static final int MAX_ARGUMENT_BYTES = 64 * 1024;

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "content-length");

    public CurlCommand {
        notes = List.copyOf(notes);
    }

    /**
     * The command for {@code request}, which must have a destination (wiretap read it as far as its URL) and must
     * not be a CONNECT (a tunnel holds no request to send again).
     *
     * @throws IllegalArgumentException for a CONNECT or a request without a URL, saying so
     */
    public static CurlCommand of(Request request) {
        if (request.isMethod("CONNECT")) {
            throw new IllegalArgumentException("a CONNECT tunnel to " + request.target() + " holds no request for curl to send again");
        }
        Destination destination = request.destination().orElseThrow(() -> new IllegalArgumentException(
                "wiretap could not read the request as far as its URL; curl cannot send it again"));
        List<String> notes = new ArrayList<>(1);
        List<String> options = new ArrayList<>();
        Body body = request.body();
        Headers headers = request.headers();
        boolean hasBody = !body.isEmpty() || headers.first("Content-Length").map(String::trim).filter("0"::equals).isPresent();
        if (request.isMethod("HEAD") && !hasBody) {
            options.add("--head");
        } else if (!(request.isMethod("GET") && !hasBody) && !(request.isMethod("POST") && hasBody)) {
            options.add("-X " + ShellQuote.quote(request.method()));
        }
        if (request.version() == HttpVersion.HTTP_1_0) {
            options.add("--http1.0");
        } else if (destination.isTls()) {
            options.add("--http1.1"); // wiretap speaks HTTP/1.1 only; curl would offer h2 to an https origin
        }
        String path = destination.pathAndQuery();
        if (path.contains("/./") || path.contains("/../") || path.endsWith("/.") || path.endsWith("/..")) {
            options.add("--path-as-is");
        }
        if (path.indexOf('[') >= 0 || path.indexOf(']') >= 0 || path.indexOf('{') >= 0 || path.indexOf('}') >= 0) {
            options.add("--globoff");
        }
        headerOptions(headers, destination, hasBody, body.size(), options);
        String stdin = null;
        if (hasBody) {
            byte[] bytes = body.bytes();
            if (body.isTruncated()) {
                notes.add("the request body was " + BodyView.captureNote(body) + "; this command sends only the captured part");
            }
            if (bytes.length > MAX_ARGUMENT_BYTES || indexOf(bytes, (byte) 0) >= 0) {
                stdin = "printf " + ShellQuote.printfFormat(bytes) + " |";
                options.add("--data-binary @-");
            } else if (bytes.length > 0 && bytes[0] == '@') {
                options.add("--data-raw " + ShellQuote.quote(bytes));
            } else {
                options.add("--data-binary " + (bytes.length == 0 ? "''" : ShellQuote.quote(bytes)));
            }
        }
        StringBuilder sb = new StringBuilder(256);
        for (String note : notes) {
            sb.append("# ").append(note).append('\n');
        }
        if (stdin != null) {
            sb.append(stdin).append(" \\\n");
        }
        sb.append("curl ").append(ShellQuote.quote(destination.url()));
        for (String option : options) {
            sb.append(" \\\n  ").append(option);
        }
        return new CurlCommand(sb.toString(), notes);
    }

    private static void headerOptions(Headers headers, Destination destination, boolean hasBody, long bodySize, List<String> options) {
        Set<String> named = new HashSet<>();
        for (String value : headers.all("Connection")) {
            for (String token : value.split(",")) {
                named.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(lower) || named.contains(lower)) {
                continue;
            }
            String value = headers.value(i);
            if (lower.equals("host") && value.equalsIgnoreCase(destination.authority())) {
                continue; // curl writes this one itself, from the URL
            }
            // "Name:" tells curl to drop a field of its own; a field with an empty value is written "Name;".
            String field = value.isEmpty() ? name + ";" : name + ": " + value;
            options.add("-H " + ShellQuote.quote(field.getBytes(StandardCharsets.ISO_8859_1)));
        }
        List<String> suppressed = new ArrayList<>(List.of("User-Agent", "Accept"));
        if (hasBody) {
            suppressed.add("Content-Type");
            if (bodySize > 1024) {
                suppressed.add("Expect");
            }
        }
        for (String name : suppressed) {
            if (!headers.contains(name)) {
                options.add("-H '" + name + ":'");
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
