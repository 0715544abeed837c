package dev.wiretap.proxy.http1;

import dev.wiretap.config.Limits;
import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads request heads (RFC 9112 sections 2 to 5) from an {@link HttpInput}: the request line, then the field
 * lines, into a {@link Request} that keeps the head's bytes as they flowed. Syntax only: what the fields mean
 * (framing, Host, Connection) is decided by {@link BodyFraming}, {@link RequestTarget} and
 * {@link ConnectionOptions}. Stateless and thread-safe.
 *
 * <p>Refused, each with its own status: a request line over the target limit (414), a head over the header limit
 * or with too many fields (431), a version other than 1.x (505), and every syntax fault (400): a bare LF or CR,
 * anything but single spaces between the parts of the request line, a control or non-ASCII byte in the target,
 * whitespace before a colon or at the start of a field line (obs-fold), a NUL or control byte in a value.
 */
public final class RequestParser {

    /** Room on a request line for the method, two spaces and the version, beyond the target itself. */
    private static final int REQUEST_LINE_OVERHEAD = 64;

    private final Limits limits;

    public RequestParser(Limits limits) {
        this.limits = limits;
    }

    /**
     * Reads the next request head, consuming it from {@code in}. Returns empty if the stream ended cleanly before
     * a request began.
     */
    public Optional<Request> read(HttpInput in) throws IOException, ProtocolException {
        int end = HeadScanner.bufferHead(in, limits.maxTargetBytes() + REQUEST_LINE_OVERHEAD,
                limits.maxHeaderBytes(), Party.CLIENT);
        if (end < 0) {
            return Optional.empty();
        }
        byte[] b = in.buffer();
        int start = in.position();
        int p = start;

        while (FieldChars.isTchar(b[p] & 0xFF)) {
            p++;
        }
        if (p == start) {
            throw ProtocolException.badRequest("malformed request line: no method");
        }
        if (b[p] != ' ') {
            throw ProtocolException.badRequest("malformed request line: the method must be followed by one space");
        }
        String method = Methods.of(b, start, p);
        int targetStart = ++p;
        while (b[p] > 0x20 && b[p] != 0x7F) {
            p++;
        }
        int targetLength = p - targetStart;
        if (targetLength == 0) {
            throw ProtocolException.badRequest("malformed request line: the parts must be separated by single spaces");
        }
        if (targetLength > limits.maxTargetBytes()) {
            throw new ProtocolException(414, "request target longer than " + limits.maxTargetBytes() + " bytes");
        }
        if (b[p] != ' ') {
            throw ProtocolException.badRequest(b[p] == '\r'
                    ? "malformed request line: no HTTP version"
                    : "malformed request line: a control, space or non-ASCII character in the target");
        }
        String target = new String(b, targetStart, targetLength, StandardCharsets.ISO_8859_1);
        if (end - p < 11) { // SP "HTTP/x.y" CRLF, and the head's final CRLF after it
            throw ProtocolException.badRequest("malformed request line: invalid HTTP version");
        }
        HttpVersion version = version(b, ++p);
        p += 8;
        if (b[p] != '\r') {
            throw ProtocolException.badRequest("malformed request line: unexpected bytes after the version");
        }
        if (b[p + 1] != '\n') {
            throw ProtocolException.badRequest("malformed request line: a bare CR");
        }
        FieldLines.Parsed fields = FieldLines.parse(b, p + 2, start, limits.maxHeaderCount(), Party.CLIENT);
        byte[] head = Arrays.copyOfRange(b, start, fields.end());
        in.consume(fields.end() - start);
        return Optional.of(new Request(method, target, version, Headers.wrap(head, fields.spans(), fields.count()), head));
    }

    /**
     * HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 section 2.3). 1.0 and 1.1 as they are; a
     * higher 1.x minor is served as 1.1 (RFC 9110 section 6.2); another major version gets 505.
     */
    private static HttpVersion version(byte[] b, int p) throws ProtocolException {
        boolean shaped = b[p] == 'H' && b[p + 1] == 'T' && b[p + 2] == 'T' && b[p + 3] == 'P' && b[p + 4] == '/'
                && isDigit(b[p + 5]) && b[p + 6] == '.' && isDigit(b[p + 7]);
        if (!shaped) {
            throw ProtocolException.badRequest("malformed request line: invalid HTTP version");
        }
        if (b[p + 5] != '1') {
            throw new ProtocolException(505, "HTTP version " + (char) b[p + 5] + "." + (char) b[p + 7] + " is not supported; wiretap speaks HTTP/1.1");
        }
        return b[p + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
