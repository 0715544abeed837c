package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadersTest {

    private static final String HEAD = "GET / HTTP/1.1\r\nHost: example.com\r\nx-trace:  1 \r\nAccept: */*\r\nX-Trace: 2\r\n\r\n";

    /** Wraps {@link #HEAD} the way the codec does: one array, five offsets per field line. */
    private static Headers wrapped(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int[] spans = new int[5 * 8];
        int count = 0;
        int line = text.indexOf("\r\n") + 2;
        while (!text.startsWith("\r\n", line)) {
            int end = text.indexOf("\r\n", line);
            int colon = text.indexOf(':', line);
            int valueStart = colon + 1;
            while (text.charAt(valueStart) == ' ') {
                valueStart++;
            }
            int valueEnd = end;
            while (text.charAt(valueEnd - 1) == ' ') {
                valueEnd--;
            }
            System.arraycopy(new int[] {line, colon, valueStart, valueEnd, end}, 0, spans, 5 * count++, 5);
            line = end + 2;
        }
        return Headers.wrap(head, spans, count);
    }

    private static List<String> lines(Headers h) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            lines.add(new String(h.rawLine(i), StandardCharsets.ISO_8859_1));
        }
        return lines;
    }

    private static String written(Headers h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h.writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void readsWrappedFieldsInOrderWithNameCaseAndRawLinesKept() {
        Headers h = wrapped(HEAD.getBytes(StandardCharsets.ISO_8859_1));

        assertEquals(4, h.size());
        assertEquals("x-trace", h.name(1));
        assertEquals("1", h.value(1));
        assertEquals(List.of("Host: example.com", "x-trace:  1 ", "Accept: */*", "X-Trace: 2"), lines(h));
        assertEquals(List.of("1", "2"), h.all("X-TRACE"));
        assertEquals(Optional.of("1"), h.first("X-Trace"));
        assertEquals(Optional.empty(), h.first("Cookie"));
        assertEquals(2, h.count("x-trace"));
        assertEquals(3, h.indexOf("x-trace", 2));
        assertEquals(-1, h.indexOf("x-trace", 4));
        assertTrue(h.contains("ACCEPT"));
        assertFalse(h.contains("Accept-Encoding"));
    }

    @Test
    void comparesNamesAndValuesIgnoringCase() {
        Headers h = Headers.of("Connection", "Keep-Alive", "Content-Type", "text/HTML; charset=UTF-8");

        assertTrue(h.nameIs(0, "connection"));
        assertTrue(h.nameIs(0, "CONNECTION"));
        assertFalse(h.nameIs(0, "Connectio"));
        assertFalse(h.nameIs(0, "Connections"));
        assertTrue(h.valueIs(0, "keep-alive"));
        assertFalse(h.valueIs(0, "keep-alive "));
        assertTrue(h.valueIs(1, "TEXT/html; CHARSET=utf-8"));
        assertFalse(h.nameIs(1, "Content_Type"));
    }

    @Test
    void addAppendsAndRemoveAllKeepsTheOrderOfTheRest() {
        Headers h = wrapped(HEAD.getBytes(StandardCharsets.ISO_8859_1));

        h.add("X-Added", "yes");
        int removed = h.removeAll("X-TRACE");

        assertEquals(2, removed);
        assertEquals(List.of("Host: example.com", "Accept: */*", "X-Added: yes"), lines(h));
        assertEquals(0, h.removeAll("X-Trace"));
    }

    @Test
    void setReplacesEveryFieldOfThatNameWhereTheFirstStood() {
        Headers h = wrapped(HEAD.getBytes(StandardCharsets.ISO_8859_1));

        h.set("X-TRACE", "3");

        assertEquals(List.of("Host: example.com", "X-TRACE: 3", "Accept: */*"), lines(h));
    }

    @Test
    void setAppendsWhenTheFieldIsAbsent() {
        Headers h = Headers.of("A", "1", "B", "2");

        h.set("C", "3");

        assertEquals(List.of("A: 1", "B: 2", "C: 3"), lines(h));
    }

    @Test
    void removeAtShiftsTheFieldsAfterIt() {
        Headers h = Headers.of("A", "1", "B", "2", "C", "3");

        h.removeAt(1);

        assertEquals(List.of("A: 1", "C: 3"), lines(h));
        assertThrows(IndexOutOfBoundsException.class, () -> h.removeAt(2));
        assertThrows(IndexOutOfBoundsException.class, () -> h.name(-1));
    }

    @Test
    void leavesTheWireHeadAsItArrivedWhenChanged() {
        byte[] head = HEAD.getBytes(StandardCharsets.ISO_8859_1);
        byte[] original = head.clone();
        Headers h = wrapped(head);

        h.add("X-Added", "a value long enough to need a bigger array");
        h.set("Host", "other.example");
        h.removeAll("Accept");
        h.removeAt(1);

        assertArrayEquals(original, head);
        assertEquals(List.of("Host: other.example", "X-Trace: 2", "X-Added: a value long enough to need a bigger array"),
                lines(h));
    }

    @Test
    void growsPastItsFirstArraysWhenManyFieldsAreAdded() {
        Headers h = new Headers();
        for (int i = 0; i < 100; i++) {
            h.add("X-" + i, "v".repeat(i));
        }

        assertEquals(100, h.size());
        assertEquals("v".repeat(99), h.value(99));
        assertEquals("X-50: " + "v".repeat(50), new String(h.rawLine(50), StandardCharsets.ISO_8859_1));
    }

    @Test
    void writesEachLineAsItFlowedOrWasAdded() throws Exception {
        Headers h = wrapped(HEAD.getBytes(StandardCharsets.ISO_8859_1));
        h.add("X-Obs", "caf\u00e9");

        assertEquals("Host: example.com\r\nx-trace:  1 \r\nAccept: */*\r\nX-Trace: 2\r\nX-Obs: caf\u00e9\r\n", written(h));
        assertEquals("Host: example.com\r\nx-trace: 1\r\nAccept: */*\r\nX-Trace: 2\r\nX-Obs: caf\u00e9\r\n", h.toString());
    }

    @Test
    void copiesAreIndependent() {
        Headers h = wrapped(HEAD.getBytes(StandardCharsets.ISO_8859_1));

        Headers copy = h.copy();
        copy.set("Host", "copy.example");
        h.add("X-Original", "1");

        assertEquals("example.com", h.value(0));
        assertEquals("copy.example", copy.value(0));
        assertFalse(copy.contains("X-Original"));
    }

    @Test
    void writesNothingForNoFields() throws Exception {
        assertEquals("", written(new Headers()));
        assertTrue(new Headers().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nX-Injected: 1", "a\u0000b", "a\u0001b", "a\u007fb", "\u0100", "snow\u2603man"})
    void refusesValuesThatCouldBreakTheHead(String value) {
        Headers h = new Headers();

        assertThrows(IllegalArgumentException.class, () -> h.add("X", value));
        assertThrows(IllegalArgumentException.class, () -> h.set("X", value));
        assertTrue(h.isEmpty());
    }

    @Test
    void leavesTheFieldsAloneWhenSetIsRefused() {
        Headers h = Headers.of("X", "1", "Y", "2", "X", "3");

        assertThrows(IllegalArgumentException.class, () -> h.set("X", "a\r\nInjected: 1"));

        assertEquals(List.of("X: 1", "Y: 2", "X: 3"), lines(h));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "X Y", "X:Y", "X\r\nY", "(X)", "caf\u00e9", "X\tY", "X\u0000"})
    void refusesNamesThatAreNotTokens(String name) {
        Headers h = new Headers();

        assertThrows(IllegalArgumentException.class, () -> h.add(name, "v"));
        assertTrue(h.isEmpty());
    }

    @Test
    void refusesNullNamesAndValuesAndOddPairs() {
        assertThrows(IllegalArgumentException.class, () -> new Headers().add(null, "v"));
        assertThrows(IllegalArgumentException.class, () -> new Headers().add("X", null));
        assertThrows(IllegalArgumentException.class, () -> Headers.of("X"));
    }

    @Test
    void acceptsEveryTokenCharacterInNamesAndObsTextInValues() {
        Headers h = new Headers().add("!#$%&'*+-.^_`|~09azAZ", "\t tab, space and \u00ff");

        assertEquals("!#$%&'*+-.^_`|~09azAZ", h.name(0));
        assertEquals("\t tab, space and \u00ff", h.value(0));
        assertArrayEquals(Arrays.copyOf(h.rawLine(0), h.rawLine(0).length),
                "!#$%&'*+-.^_`|~09azAZ: \t tab, space and \u00ff".getBytes(StandardCharsets.ISO_8859_1));
    }
}
