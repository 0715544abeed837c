package dev.wiretap.proxy.export;

import dev.wiretap.proxy.CaCertificate;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 *
 * <p>{@link Options} send it through wiretap instead ({@code -x}, so that the resend is recorded as a flow, trusting
 * wiretap's CA for an https URL it decrypts), let curl accept any certificate ({@code -k}), and lay it out on one line
 * (no comments, no backslash-newline continuations: it pastes whole wherever it is pasted). Immutable.
 *
 * @param text  the command, ready to paste into bash or zsh: comment lines first, then {@code curl} with one
 *              option a line; or all on one line
 * @param notes what the comment lines say (empty when the command reproduces the request exactly)
 */
public record CurlCommand(String text, List<String> notes) {

    /**
     * How the command sends the request and how it is laid out.
     *
     * @param proxy    wiretap, to send the request through; empty: straight to the origin
     * @param insecure whether curl accepts any certificate from the server it talks TLS to ({@code -k})
     * @param oneLine  the command on one line, without the comment lines
     */
    public record Options(Optional<Proxy> proxy, boolean insecure, boolean oneLine) {
        /** Straight to the origin, one option a line. */
        public static final Options STRAIGHT = new Options(Optional.empty(), false, false);
    }

    /**
     * wiretap as curl's proxy.
     *
     * @param url           where it listens, as curl's {@code -x} takes it ({@code http://127.0.0.1:8080})
     * @param caCertificate wiretap's CA certificate, for curl to trust an https origin through it; empty when
     *                      wiretap does not decrypt this origin (the tunnel then carries the origin's own certificate)
     */
    public record Proxy(String url, Optional<Path> caCertificate) {

        /**
         * {@code wiretap} as curl's proxy for {@code request}: its own address (loopback when it listens on every
         * address), with its CA certificate when it decrypts the request's host (interception on, the host not passed
         * through).
         */
        public static Proxy of(Wiretap wiretap, Request request) {
            InetSocketAddress address = wiretap.address();
            InetAddress ip = address.getAddress();
            String host;
            if (ip.isAnyLocalAddress()) {
                host = ip instanceof Inet6Address ? "[::1]" : "127.0.0.1";
            } else if (ip instanceof Inet6Address) {
                String literal = ip.getHostAddress();
                host = "[" + (literal.indexOf('%') < 0 ? literal : literal.substring(0, literal.indexOf('%'))) + "]";
            } else {
                host = ip.getHostAddress();
            }
            String requestHost = request.destination().map(Destination::host).orElse("");
            Optional<Path> ca = wiretap.certificateAuthority()
                    .filter(c -> !wiretap.settings().tls().isPassthrough(requestHost))
                    .map(CaCertificate::certificateFile);
            return new Proxy("http://" + host + ":" + address.getPort(), ca);
        }
    }

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
        return of(request, Options.STRAIGHT);
    }

    /**
     * The command for {@code request}, sent and laid out as {@code how} says.
     *
     * @throws IllegalArgumentException for a CONNECT or a request without a URL, saying so
     */
    public static CurlCommand of(Request request, Options how) {
        if (request.isMethod("CONNECT")) {
            throw new IllegalArgumentException("a CONNECT tunnel to " + request.target() + " holds no request for curl to send again");
        }
        Destination destination = request.destination().orElseThrow(() -> new IllegalArgumentException(
                "wiretap could not read the request as far as its URL; curl cannot send it again"));
        List<String> notes = new ArrayList<>(1);
        List<String> options = new ArrayList<>();
        how.proxy().ifPresent(p -> {
            // NO_PROXY in the environment would send a listed host (often localhost) around wiretap: --noproxy ''.
            options.add("-x " + ShellQuote.quote(p.url()) + " --noproxy ''");
            if (destination.isTls() && !how.insecure()) {
                p.caCertificate().ifPresent(ca -> options.add("--cacert " + ShellQuote.quote(ca.toString())));
            }
        });
        if (how.insecure()) {
            options.add("-k");
        }
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
        } else if (request.version() == HttpVersion.HTTP_2) {
            options.add("--http2");
        } else if (destination.isTls()) {
            options.add("--http1.1"); // as the client spoke: curl would offer h2 to an https origin
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
                notes.add("the request body was " + body.captureNote() + "; this command sends only the captured part");
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
        // Every quoted word is free of raw line breaks (ShellQuote escapes them), so one line is only a matter of
        // separators.
        String separator = how.oneLine() ? " " : " \\\n  ";
        StringBuilder sb = new StringBuilder(256);
        if (!how.oneLine()) {
            for (String note : notes) {
                sb.append("# ").append(note).append('\n');
            }
        }
        if (stdin != null) {
            sb.append(stdin).append(how.oneLine() ? " " : " \\\n");
        }
        sb.append("curl ").append(ShellQuote.quote(destination.url()));
        for (String option : options) {
            sb.append(separator).append(option);
        }
        return new CurlCommand(sb.toString(), notes);
    }

    /**
     * Writes the command to {@code file} (replacing it), readable by its owner alone: a request's fields hold cookies
     * and tokens.
     *
     * @throws IOException if the file cannot be written; the message names it and says why
     */
    public void write(Path file) throws IOException {
        try {
            // A temporary file is made readable by its owner alone; moved into place, it keeps that.
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
            try {
                Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw FileErrors.explain("write", file, e);
        }
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
            if (headers.isPseudo(i) || HOP_BY_HOP.contains(lower) || named.contains(lower)) {
                continue; // pseudo-header fields: curl makes its own from the URL and the method
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
