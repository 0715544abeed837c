package dev.wiretap.proxy.export;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The bytes of a HAR file on their way to Jackson's parser, with every JSON string longer than a limit cut short, so
 * that no string the parser buffers (a body of hundreds of megabytes, or a hostile one of gigabytes) is longer than
 * {@code maxStringBytes}. Jackson buffers a string whole before handing it over and cannot skip the rest of one it has
 * begun; cutting here, in the bytes, keeps the document valid JSON and the parser in step. Each cut string is recorded
 * by where it starts in the bytes given on (its opening quote), with its length before the cut, so that the reader can
 * tell a cut string (a body to mark as truncated) from a whole one.
 *
 * <p>A cut never falls inside an escape sequence or a UTF-8 character. A UTF-8 byte order mark at the start is left
 * out. HAR files are UTF-8 (the format says so); UTF-16 and UTF-32 ones are refused by the reader, which looks at the
 * first bytes ({@link #looksLikeUtf16or32}). Mutable; for the one thread reading the file.
 */
final class HarInput extends FilterInputStream {

    private enum State {
        /** Between strings. */
        OUTSIDE,
        /** Inside a string, passing its bytes on. */
        STRING,
        /** Inside a string past the limit, dropping its bytes until its closing quote. */
        DROPPING
    }

    private final long maxStringBytes;
    private final Map<Long, Long> cuts = new HashMap<>();
    private State state = State.OUTSIDE;
    /** The byte before was a backslash that begins an escape. */
    private boolean afterBackslash;
    /** Hex digits of a {@code \\u} escape still to come. */
    private int hexLeft;
    private long stringStart;
    private long stringBytes;
    /** Bytes given on so far. */
    private long given;
    private boolean started;

    HarInput(InputStream in, long maxStringBytes) {
        super(in);
        this.maxStringBytes = maxStringBytes;
    }

    /**
     * The length in bytes (between the quotes, escapes as written) of the string whose opening quote is at {@code offset}
     * in the bytes given on, if it was cut.
     */
    OptionalLong cutLength(long offset) {
        Long length = cuts.remove(offset); // each string is asked about once: the map holds only the cuts to come
        return length == null ? OptionalLong.empty() : OptionalLong.of(length);
    }

    /** Whether {@code first} (the first bytes of a file) look like JSON in UTF-16 or UTF-32: a BOM or zero bytes. */
    static boolean looksLikeUtf16or32(byte[] first, int length) {
        if (length >= 2 && ((first[0] == (byte) 0xFE && first[1] == (byte) 0xFF) || (first[0] == (byte) 0xFF && first[1] == (byte) 0xFE))) {
            return true;
        }
        for (int i = 0; i < Math.min(length, 4); i++) {
            if (first[i] == 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    /**
     * Reads into {@code b} and filters in place; reads again while every byte read was dropped, since a stream must give
     * at least one byte (Jackson refuses a read of none).
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n = in.read(b, off, len);
            if (n < 0) {
                return -1;
            }
            int from = off;
            if (!started && n > 0) {
                started = true;
                if (n >= 3 && b[off] == (byte) 0xEF && b[off + 1] == (byte) 0xBB && b[off + 2] == (byte) 0xBF) {
                    from += 3; // a UTF-8 byte order mark: not JSON, and Jackson's offsets would count it
                }
            }
            int out = off;
            for (int i = from; i < off + n; i++) {
                byte c = b[i];
                if (pass(c)) {
                    b[out++] = c;
                    given++;
                }
            }
            if (out > off) {
                return out - off;
            }
        }
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(0, read);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Whether byte {@code c} goes on; keeps track of strings and escapes. */
    private boolean pass(byte c) {
        switch (state) {
            case OUTSIDE -> {
                if (c == '"') {
                    state = State.STRING;
                    stringStart = given;
                    stringBytes = 0;
                }
                return true;
            }
            case STRING -> {
                if (afterBackslash) {
                    afterBackslash = false;
                    hexLeft = c == 'u' ? 4 : 0;
                } else if (hexLeft > 0) {
                    hexLeft--;
                } else if (c == '"') {
                    state = State.OUTSIDE;
                    return true;
                } else if (stringBytes >= maxStringBytes && (c & 0xC0) != 0x80) {
                    // Past the limit, at the start of a character that is not inside an escape: drop from here on.
                    state = State.DROPPING;
                    afterBackslash = c == '\\';
                    stringBytes++;
                    return false;
                } else if (c == '\\') {
                    afterBackslash = true;
                }
                stringBytes++;
                return true;
            }
            default -> {
                if (afterBackslash) {
                    afterBackslash = false; // an escaped quote does not end the string; hex digits are never quotes
                } else if (c == '"') {
                    cuts.put(stringStart, stringBytes);
                    state = State.OUTSIDE;
                    return true;
                } else if (c == '\\') {
                    afterBackslash = true;
                }
                stringBytes++;
                return false;
            }
        }
    }
}
