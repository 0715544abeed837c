package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import java.util.Arrays;

/**
 * Builds a decoded field block as wiretap's {@link Headers}: the fields as text lines ({@code name: value}, CRLF between
 * them), which also stand as the message's head, with the offsets {@link Headers#wrap} takes. Made and used by one
 * thread for one block.
 */
final class FieldLines {

    private byte[] data = new byte[256];
    private int length;
    private int[] spans = new int[5 * 16];
    private int count;
    private boolean valid = true;

    void add(String name, String value) {
        ensure(name.length() + value.length() + 4);
        if (5 * (count + 1) > spans.length) {
            spans = Arrays.copyOf(spans, spans.length * 2);
        }
        int s = 5 * count;
        spans[s] = length;
        put(name);
        spans[s + 1] = length;
        data[length++] = ':';
        data[length++] = ' ';
        spans[s + 2] = length;
        put(value);
        spans[s + 3] = length;
        spans[s + 4] = length;
        data[length++] = '\r';
        data[length++] = '\n';
        count++;
    }

    /** False once a value held CR, LF or NUL (RFC 9113 section 8.2.1), which would break the field's line. */
    boolean isValid() {
        return valid;
    }

    /** The fields, sharing one array with their text (the head as wiretap shows it). */
    Headers toHeaders() {
        return toBlock(0).fields();
    }

    /** The fields and their text, sharing one array; {@code wireBytes} is what the block took on the wire. */
    FieldBlock toBlock(int wireBytes) {
        byte[] text = Arrays.copyOf(data, length);
        return new FieldBlock(Headers.wrap(text, Arrays.copyOf(spans, Math.max(5, 5 * count)), count), text, wireBytes);
    }

    private void put(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                valid = false;
            }
            data[length++] = (byte) c;
        }
    }

    private void ensure(int extra) {
        if (length + extra > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, length + extra));
        }
    }
}
