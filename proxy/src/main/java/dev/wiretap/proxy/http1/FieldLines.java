package dev.wiretap.proxy.http1;

import dev.wiretap.config.FieldChars;
import java.util.Arrays;

/**
 * Parses the field lines of a buffered head (or trailer section) into the offsets {@link dev.wiretap.proxy.flow.Headers}
 * keeps. Strict, as RFC 9112 section 5 asks of a server: no whitespace before the colon, no obs-fold, no control
 * characters (NUL, bare CR) in values; a name must be a token.
 */
final class FieldLines {

    private FieldLines() {
    }

    /** Result of a parse: spans (five per field, relative to {@code base}), count, and where the empty line ended. */
    record Parsed(int[] spans, int count, int end) {
    }

    /**
     * Parses field lines from {@code p} up to and including the empty line that ends them. The caller guarantees
     * the bytes up to that empty line are buffered and that every LF in them follows a CR.
     *
     * @param base offset that spans are made relative to (the start of the head's wire copy)
     */
    static Parsed parse(byte[] b, int p, int base, int maxCount, Party party) throws ProtocolException {
        int[] spans = new int[5 * 8];
        int count = 0;
        while (b[p] != '\r') {
            byte first = b[p];
            if (first == ' ' || first == '\t') {
                throw party.fault(400, "a field line starting with whitespace (obs-fold is not allowed)");
            }
            int nameStart = p;
            while (FieldChars.isTchar(b[p] & 0xFF)) {
                p++;
            }
            if (b[p] != ':') {
                if (b[p] == ' ' || b[p] == '\t') {
                    throw party.fault(400, "whitespace between a field name and its colon");
                }
                throw party.fault(400, p == nameStart ? "a field line without a name" : "an invalid character in a field name");
            }
            if (p == nameStart) {
                throw party.fault(400, "a field line without a name");
            }
            int nameEnd = p++;
            while (b[p] == ' ' || b[p] == '\t') {
                p++;
            }
            int valueStart = p;
            while (b[p] != '\r') {
                if (!FieldChars.isFieldValueChar(b[p] & 0xFF)) {
                    throw party.fault(400, b[p] == 0 ? "a NUL byte in a field value" : "a control character in a field value");
                }
                p++;
            }
            if (b[p + 1] != '\n') {
                throw party.fault(400, "a bare CR in a field value");
            }
            int valueEnd = p;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            if (count == maxCount) {
                throw party.fault(431, "more than " + maxCount + " header fields");
            }
            if (5 * (count + 1) > spans.length) {
                spans = Arrays.copyOf(spans, spans.length * 2);
            }
            int s = 5 * count++;
            spans[s] = nameStart - base;
            spans[s + 1] = nameEnd - base;
            spans[s + 2] = valueStart - base;
            spans[s + 3] = valueEnd - base;
            spans[s + 4] = p - base;
            p += 2;
        }
        if (b[p + 1] != '\n') {
            throw party.fault(400, "a bare CR");
        }
        return new Parsed(spans, count, p + 2);
    }
}
