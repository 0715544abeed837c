package dev.wiretap.proxy.http1;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads response heads (RFC 9112 section 4) from an origin's {@link HttpInput}. As strict as requests, with one
 * leniency that real servers need: a status line without a reason phrase may also lack the space before it
 * ({@code HTTP/1.1 200}). Every fault is a {@link ProtocolException} with status 502. Stateless and thread-safe.
 */
public final class ResponseParser {

    private static final int MAX_STATUS_LINE = 8 * 1024;

    private final Limits limits;

    public ResponseParser(Limits limits) {
        this.limits = limits;
    }

    /**
     * Reads the next response head, consuming it.
     *
     * @throws EOFException if the stream ends before a whole head (before any byte: the message says so, which
     *                      the pool uses to spot a stale connection)
     */
    public Response read(HttpInput in) throws IOException, ProtocolException {
        int end = HeadScanner.bufferHead(in, MAX_STATUS_LINE, limits.maxHeaderBytes(), Party.ORIGIN);
        if (end < 0) {
            throw new NoResponseException();
        }
        byte[] b = in.buffer();
        int start = in.position();
        int p = start;
        boolean shaped = end - start >= 16 && b[p] == 'H' && b[p + 1] == 'T' && b[p + 2] == 'T' && b[p + 3] == 'P' && b[p + 4] == '/'
                && b[p + 5] == '1' && b[p + 6] == '.' && isDigit(b[p + 7]) && b[p + 8] == ' ';
        if (!shaped) {
            throw new ProtocolException(502, "origin sent a malformed status line (not HTTP/1.x)");
        }
        HttpVersion version = b[p + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        p += 9;
        if (!isDigit(b[p]) || !isDigit(b[p + 1]) || !isDigit(b[p + 2]) || b[p] == '0') {
            throw new ProtocolException(502, "origin sent a malformed status code");
        }
        int status = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
        p += 3;
        String reason;
        if (b[p] == ' ') {
            int reasonStart = ++p;
            while (b[p] != '\r') {
                int c = b[p] & 0xFF;
                if (c != '\t' && (c < 0x20 || c == 0x7F)) {
                    throw new ProtocolException(502, "origin sent a control character in the reason phrase");
                }
                p++;
            }
            reason = reasonPhrase(b, reasonStart, p);
        } else if (b[p] == '\r') {
            reason = "";
        } else {
            throw new ProtocolException(502, "origin sent a malformed status line");
        }
        if (b[p + 1] != '\n') {
            throw new ProtocolException(502, "origin sent a bare CR in the status line");
        }
        FieldLines.Parsed fields = FieldLines.parse(b, p + 2, start, limits.maxHeaderCount(), Party.ORIGIN);
        byte[] head = Arrays.copyOfRange(b, start, fields.end());
        in.consume(fields.end() - start);
        return new Response(version, status, reason, Headers.wrap(head, fields.spans(), fields.count()), head);
    }

    private static String reasonPhrase(byte[] b, int start, int end) {
        if (end - start == 2 && b[start] == 'O' && b[start + 1] == 'K') {
            return "OK";
        }
        return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** The origin closed the connection before sending any byte of a response (typical of a stale pooled connection). */
    public static final class NoResponseException extends EOFException {
        public NoResponseException() {
            super("origin closed the connection without answering");
        }
    }
}
