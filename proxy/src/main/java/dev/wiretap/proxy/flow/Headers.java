package dev.wiretap.proxy.flow;

import dev.wiretap.config.FieldChars;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The header (or trailer) fields of one message, in arrival order, with name case, duplicates and the raw
 * bytes of each field line kept, so that what the user sees is what flowed.
 *
 * <p>Storage is one byte array plus five offsets per field (name start and end, value start and end, line end),
 * so parsing allocates two arrays per message and strings are made only when someone asks for them. A parsed
 * instance shares its array with the message's wire copy of the head; the first change copies it, so the wire
 * copy stays as it arrived.
 *
 * <p>Mutable: it belongs to the connection thread that parsed it; addons change it on that thread. Other threads
 * read it only after it has been handed over through an event.
 */
public final class Headers {

    private static final int SPAN = 5; // nameStart, nameEnd, valueStart, valueEnd, lineEnd
    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] data;
    private int dataLength;
    private int[] spans;
    private int count;
    private boolean sharedData;

    /** An empty, changeable set of fields. */
    public Headers() {
        this.data = new byte[64];
        this.spans = new int[SPAN * 4];
    }

    private Headers(byte[] data, int dataLength, int[] spans, int count, boolean sharedData) {
        this.data = data;
        this.dataLength = dataLength;
        this.spans = spans;
        this.count = count;
        this.sharedData = sharedData;
    }

    /**
     * Wraps fields found by the codec. {@code spans} holds five offsets into {@code data} per field: name start,
     * name end, value start, value end (whitespace trimmed) and line end (before the CRLF). Nothing is copied;
     * the caller hands both arrays over.
     */
    public static Headers wrap(byte[] data, int[] spans, int count) {
        return new Headers(data, data.length, spans, count, true);
    }

    /** Fields from name/value pairs: {@code Headers.of("Host", "example.com", "Accept", "*}{@code /*")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Headers headers = new Headers();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public String name(int index) {
        int s = SPAN * checkIndex(index);
        return new String(data, spans[s], spans[s + 1] - spans[s], StandardCharsets.ISO_8859_1);
    }

    /** The value with surrounding whitespace removed, bytes mapped one to one (ISO-8859-1). */
    public String value(int index) {
        int s = SPAN * checkIndex(index);
        return new String(data, spans[s + 2], spans[s + 3] - spans[s + 2], StandardCharsets.ISO_8859_1);
    }

    /** The length of {@link #rawLine}, at least the name's and the value's together, without making either. */
    public int lineLength(int index) {
        int s = SPAN * checkIndex(index);
        return spans[s + 4] - spans[s];
    }

    /** The field line exactly as it flowed (or as it was added), without its CRLF. */
    public byte[] rawLine(int index) {
        int s = SPAN * checkIndex(index);
        return Arrays.copyOfRange(data, spans[s], spans[s + 4]);
    }

    /** Case-insensitive comparison of field {@code index}'s name with {@code name}, without allocating. */
    public boolean nameIs(int index, String name) {
        int s = SPAN * checkIndex(index);
        int start = spans[s];
        int length = spans[s + 1] - start;
        if (length != name.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(data[start + i]) != lower((byte) name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether field {@code index} is an HTTP/2 pseudo-header field ({@code :method}, {@code :status}...), which a message
     * received over HTTP/2 holds first, as it flowed (RFC 9113 section 8.3), and which HTTP/1 never carries.
     */
    public boolean isPseudo(int index) {
        int s = SPAN * checkIndex(index);
        return spans[s + 1] > spans[s] && data[spans[s]] == ':';
    }

    /** Case-insensitive comparison of field {@code index}'s value with {@code value}, without allocating. */
    public boolean valueIs(int index, String value) {
        int s = SPAN * checkIndex(index);
        int start = spans[s + 2];
        int length = spans[s + 3] - start;
        if (length != value.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (lower(data[start + i]) != lower((byte) value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    /** Index of the first field named {@code name} at or after {@code from}, or -1. */
    public int indexOf(String name, int from) {
        for (int i = Math.max(0, from); i < count; i++) {
            if (nameIs(i, name)) {
                return i;
            }
        }
        return -1;
    }

    public int count(String name) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                n++;
            }
        }
        return n;
    }

    public Optional<String> first(String name) {
        int i = indexOf(name, 0);
        return i < 0 ? Optional.empty() : Optional.of(value(i));
    }

    public List<String> all(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < count; i++) {
            if (nameIs(i, name)) {
                values.add(value(i));
            }
        }
        return values;
    }

    /**
     * Appends a field. Names must be tokens and values must not hold CR, LF or NUL, so that no change can
     * inject a field or a message (RFC 9110 section 5.5).
     */
    public Headers add(String name, String value) {
        checkName(name);
        checkValue(value);
        unshare(name.length() + value.length() + 2);
        if (SPAN * (count + 1) > spans.length) {
            spans = Arrays.copyOf(spans, Math.max(spans.length * 2, SPAN * 8));
        }
        int s = SPAN * count;
        int p = dataLength;
        spans[s] = p;
        p = put(name, p);
        spans[s + 1] = p;
        data[p++] = ':';
        data[p++] = ' ';
        spans[s + 2] = p;
        p = put(value, p);
        spans[s + 3] = p;
        spans[s + 4] = p;
        dataLength = p;
        count++;
        return this;
    }

    /** Replaces every field named {@code name} with one field holding {@code value}, where the first one stood. */
    public Headers set(String name, String value) {
        checkName(name); // before anything is removed, so that a refused value leaves the fields as they were
        checkValue(value);
        int first = indexOf(name, 0);
        if (first < 0) {
            return add(name, value);
        }
        removeAll(name);
        add(name, value);
        move(count - 1, first);
        return this;
    }

    /** Removes every field named {@code name}; returns how many there were. */
    public int removeAll(String name) {
        int removed = 0;
        for (int i = count - 1; i >= 0; i--) {
            if (nameIs(i, name)) {
                removeAt(i);
                removed++;
            }
        }
        return removed;
    }

    public void removeAt(int index) {
        checkIndex(index);
        System.arraycopy(spans, SPAN * (index + 1), spans, SPAN * index, SPAN * (count - index - 1));
        count--;
    }

    /** Replaces every field with a copy of {@code other}'s, in its order (an edit of the whole header section). */
    public void replaceWith(Headers other) {
        data = Arrays.copyOf(other.data, Math.max(other.dataLength, 16));
        dataLength = other.dataLength;
        spans = Arrays.copyOf(other.spans, Math.max(other.spans.length, SPAN));
        count = other.count;
        sharedData = false;
    }

    /** Writes each field line as it flowed (or was added), each followed by CRLF. */
    public void writeTo(OutputStream out) throws IOException {
        for (int i = 0; i < count; i++) {
            writeLine(i, out);
        }
    }

    /** Writes field line {@code index} as it flowed, followed by CRLF. */
    public void writeLine(int index, OutputStream out) throws IOException {
        int s = SPAN * checkIndex(index);
        out.write(data, spans[s], spans[s + 4] - spans[s]);
        out.write(CRLF, 0, 2);
    }

    /** True while the field bytes are the message's wire head itself (no field has been changed). */
    boolean sharesWireHead() {
        return sharedData;
    }

    byte[] data() {
        return data;
    }

    int dataLength() {
        return dataLength;
    }

    int[] spans() {
        return spans;
    }

    static Headers restore(byte[] data, int dataLength, int[] spans, int count, boolean sharedData) {
        return new Headers(data, dataLength, spans, count, sharedData);
    }

    /** A rough count of the heap this object holds, for the flow store's memory budget. */
    public long estimatedBytes() {
        return 48L + (sharedData ? 0 : data.length) + 4L * spans.length;
    }

    public Headers copy() {
        return new Headers(Arrays.copyOf(data, Math.max(dataLength, 16)), dataLength, Arrays.copyOf(spans, spans.length), count, false);
    }

    /** The fields as {@code Name: value} lines, in order, with CRLF after each. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(name(i)).append(": ").append(value(i)).append("\r\n");
        }
        return sb.toString();
    }

    private void move(int from, int to) {
        int[] moved = Arrays.copyOfRange(spans, SPAN * from, SPAN * from + SPAN);
        System.arraycopy(spans, SPAN * to, spans, SPAN * (to + 1), SPAN * (from - to));
        System.arraycopy(moved, 0, spans, SPAN * to, SPAN);
    }

    private void unshare(int extra) {
        if (sharedData || dataLength + extra > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + extra + 64));
            sharedData = false;
        }
    }

    private int put(String s, int p) {
        for (int i = 0; i < s.length(); i++) {
            data[p++] = (byte) s.charAt(i);
        }
        return p;
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("field " + index + " of " + count);
        }
        return index;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a field name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!FieldChars.isTchar(name.charAt(i))) {
                throw new IllegalArgumentException("'" + name + "' is not a valid field name (character " + (i + 1) + ")");
            }
        }
    }

    private static void checkValue(String value) {
        if (value == null) {
            throw new IllegalArgumentException("a field value must not be null");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF || !FieldChars.isFieldValueChar(c)) {
                throw new IllegalArgumentException("field value holds a forbidden character at " + (i + 1) + ": '" + value + "'");
            }
        }
    }
}
