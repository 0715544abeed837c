package dev.wiretap.proxy.http1;

import dev.wiretap.config.Limits;
import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Reads the framing of a chunked body (RFC 9112 section 7.1) from an {@link HttpInput}, chunk by chunk, so that a
 * relay can pass each chunk on as it arrives: {@link #nextChunkSize} reads a chunk-size line, the caller reads
 * that many data bytes from the input, {@link #endChunk} checks the CRLF after them, and after the last chunk
 * {@link #readTrailers} reads the trailer section. Each step can copy the framing bytes exactly as they came to an
 * output, so a relay forwards extensions and trailers untouched.
 *
 * <p>Refused (400 from a client, 502 from an origin): a size that is not hex or overflows, anything but well-formed
 * extensions after it, a line over {@code maxChunkLineBytes}, data not followed by CRLF, a bare LF or CR, and
 * malformed trailer fields; a trailer section over the head limits ({@code maxHeaderBytes}, {@code maxHeaderCount})
 * is a 431 from a client, as a head would be.
 *
 * <p>Not thread-safe: one connection thread owns it.
 */
public final class ChunkedReader {

    /** A chunk size above 2^60 cannot be meant; refusing earlier also rules out overflow. */
    private static final int MAX_SIGNIFICANT_HEX_DIGITS = 15;

    private final HttpInput in;
    private final Limits limits;
    private final Party party;

    ChunkedReader(HttpInput in, Limits limits, Party party) {
        this.in = in;
        this.limits = limits;
        this.party = party;
    }

    /** A reader for a body a client sends. */
    public static ChunkedReader fromClient(HttpInput in, Limits limits) {
        return new ChunkedReader(in, limits, Party.CLIENT);
    }

    /** A reader for a body an origin sends. */
    public static ChunkedReader fromOrigin(HttpInput in, Limits limits) {
        return new ChunkedReader(in, limits, Party.ORIGIN);
    }

    /**
     * Reads a chunk-size line and returns the size (0 for the last chunk). The line, with its CRLF, is copied to
     * {@code raw} when that is not null.
     */
    public long nextChunkSize(OutputStream raw) throws IOException, ProtocolException {
        int lineEnd = bufferLine();
        byte[] b = in.buffer();
        int start = in.position();
        int p = start;
        long size = 0;
        int significant = 0;
        while (p < lineEnd && Character.digit(b[p], 16) >= 0 && b[p] < 128) {
            int digit = Character.digit(b[p], 16);
            if (significant > 0 || digit != 0) {
                if (++significant > MAX_SIGNIFICANT_HEX_DIGITS) {
                    throw party.fault(400, "a chunk size too large");
                }
            }
            size = (size << 4) | digit;
            p++;
        }
        if (p == start) {
            throw party.fault(400, "an invalid chunk size");
        }
        checkExtensions(b, p, lineEnd);
        int length = lineEnd + 2 - start;
        if (raw != null) {
            raw.write(b, start, length);
        }
        in.consume(length);
        return size;
    }

    /** Checks, and copies to {@code raw}, the CRLF that must follow a chunk's data. */
    public void endChunk(OutputStream raw) throws IOException, ProtocolException {
        while (in.buffered() < 2) {
            if (in.fill(Math.max(limits.maxChunkLineBytes(), 16)) < 0) {
                throw new EOFException("connection closed after chunk data");
            }
        }
        byte[] b = in.buffer();
        int p = in.position();
        if (b[p] != '\r' || b[p + 1] != '\n') {
            throw party.fault(400, "chunk data not followed by CRLF");
        }
        if (raw != null) {
            raw.write(b, p, 2);
        }
        in.consume(2);
    }

    /**
     * Reads the trailer section after the last chunk, up to and including its empty line, copying it to {@code raw}
     * when that is not null. Returns the trailer fields (often none).
     */
    public Headers readTrailers(OutputStream raw) throws IOException, ProtocolException {
        int end = HeadScanner.bufferTrailers(in, limits.maxHeaderBytes(), party);
        byte[] b = in.buffer();
        int start = in.position();
        FieldLines.Parsed fields = FieldLines.parse(b, start, start, limits.maxHeaderCount(), party);
        if (raw != null) {
            raw.write(b, start, end - start);
        }
        Headers trailers = fields.count() == 0 ? new Headers()
                : Headers.wrap(Arrays.copyOfRange(b, start, end), fields.spans(), fields.count());
        in.consume(end - start);
        return trailers;
    }

    /**
     * Buffers one line and returns the index of its CR. The line may be {@code maxChunkLineBytes} long before its
     * CRLF, however its bytes arrive.
     */
    private int bufferLine() throws IOException, ProtocolException {
        int max = limits.maxChunkLineBytes();
        int scanned = 0;
        while (true) {
            byte[] b = in.buffer();
            int pos = in.position();
            int lim = in.limit();
            for (int i = pos + scanned; i < lim; i++) {
                if (b[i] == '\n') {
                    if (i == pos || b[i - 1] != '\r') {
                        throw party.fault(400, "a chunk-size line ending in a bare LF");
                    }
                    if (i - 1 - pos > max) {
                        throw lineTooLong(max);
                    }
                    return i - 1;
                }
                if (i - pos > max) { // the line and its CR, still without the LF: as the check below, byte by byte
                    throw lineTooLong(max);
                }
            }
            scanned = lim - pos;
            if (scanned > max + 1) { // the line and its CR, still without the LF
                throw lineTooLong(max);
            }
            if (in.fill(max + 2) < 0) {
                throw new EOFException("connection closed in a chunked body");
            }
        }
    }

    /**
     * chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), names tokens, values tokens or
     * quoted strings (RFC 9112 section 7.1.1). {@code p} is just after the size; {@code end} is the CR.
     */
    private void checkExtensions(byte[] b, int p, int end) throws ProtocolException {
        while (true) {
            p = skipWhitespace(b, p, end);
            if (p == end) {
                if (p > 0 && (b[p - 1] == ' ' || b[p - 1] == '\t')) {
                    throw party.fault(400, "whitespace after a chunk size");
                }
                return;
            }
            if (b[p] != ';') {
                throw party.fault(400, "an invalid chunk size or extension");
            }
            p = skipWhitespace(b, p + 1, end);
            int nameStart = p;
            while (p < end && FieldChars.isTchar(b[p] & 0xFF)) {
                p++;
            }
            if (p == nameStart) {
                throw party.fault(400, "a chunk extension without a name");
            }
            int afterName = p;
            p = skipWhitespace(b, p, end);
            if (p < end && b[p] == '=') {
                p = skipWhitespace(b, p + 1, end);
                p = p < end && b[p] == '"' ? quotedString(b, p, end) : token(b, p, end);
            } else {
                p = afterName;
            }
        }
    }

    private int token(byte[] b, int p, int end) throws ProtocolException {
        int start = p;
        while (p < end && FieldChars.isTchar(b[p] & 0xFF)) {
            p++;
        }
        if (p == start) {
            throw party.fault(400, "a chunk extension without a value after '='");
        }
        return p;
    }

    private int quotedString(byte[] b, int p, int end) throws ProtocolException {
        p++;
        while (p < end) {
            int c = b[p] & 0xFF;
            if (c == '"') {
                return p + 1;
            }
            if (c == '\\') {
                p++;
                if (p == end || !FieldChars.isFieldValueChar(b[p] & 0xFF)) {
                    throw party.fault(400, "an invalid escape in a chunk extension");
                }
            } else if (!FieldChars.isFieldValueChar(c)) {
                throw party.fault(400, "a control character in a chunk extension");
            }
            p++;
        }
        throw party.fault(400, "an unterminated quoted string in a chunk extension");
    }

    private ProtocolException lineTooLong(int max) {
        return party.fault(400, "a chunk-size line longer than " + max + " bytes");
    }

    private static int skipWhitespace(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        return p;
    }
}
