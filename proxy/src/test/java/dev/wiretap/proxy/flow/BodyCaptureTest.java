package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyCaptureTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void capturesAWholeBodyUnderTheCap() {
        BodyCapture capture = new BodyCapture(100, 11);
        capture.add(bytes("hello "), 0, 6);
        capture.add(bytes("xxworldxx"), 2, 5);

        Body body = capture.finish();

        assertEquals("hello world", body.text(StandardCharsets.ISO_8859_1));
        assertEquals(11, body.size());
        assertEquals(11, body.capturedLength());
        assertFalse(body.isTruncated());
        assertFalse(body.isEmpty());
        assertEquals("Body[11 bytes]", body.toString());
    }

    @Test
    void stopsAtTheCapButCountsEveryByte() {
        BodyCapture capture = new BodyCapture(4, -1);
        capture.add(bytes("hel"), 0, 3);
        capture.add(bytes("lo world"), 0, 8);
        capture.add(bytes("!"), 0, 1);

        Body body = capture.finish();

        assertArrayEquals(bytes("hell"), body.bytes());
        assertEquals(4, body.capturedLength());
        assertEquals(12, body.size());
        assertEquals(12, capture.size());
        assertTrue(body.isTruncated());
        assertEquals("Body[12 bytes, 4 captured]", body.toString());
    }

    @Test
    void growsPastAnUnderstatedExpectedSize() {
        BodyCapture capture = new BodyCapture(10_000, 2);
        byte[] chunk = bytes("0123456789");
        for (int i = 0; i < 500; i++) {
            capture.add(chunk, 0, 10);
        }

        Body body = capture.finish();

        assertEquals(5000, body.size());
        assertEquals(5000, body.capturedLength());
        assertEquals("0123456789".repeat(500), body.text(StandardCharsets.ISO_8859_1));
    }

    @Test
    void keepsNothingWithACapOfZero() {
        BodyCapture capture = new BodyCapture(0, 3);
        capture.add(bytes("abc"), 0, 3);

        Body body = capture.finish();

        assertEquals(0, body.capturedLength());
        assertEquals(3, body.size());
        assertTrue(body.isTruncated());
    }

    @Test
    void finishesAsTheSharedEmptyBodyWhenNothingFlowed() {
        BodyCapture capture = new BodyCapture(100, -1);
        capture.add(new byte[0], 0, 0);

        assertSame(Body.EMPTY, capture.finish());
        assertTrue(Body.EMPTY.isEmpty());
        assertFalse(Body.EMPTY.isTruncated());
    }

    @Test
    void bodyOfCopiesItsBytes() {
        byte[] source = bytes("abc");
        Body body = Body.of(source);
        source[0] = 'X';

        assertEquals("abc", body.text(StandardCharsets.ISO_8859_1));
        body.bytes()[1] = 'Y';
        assertEquals("abc", body.text(StandardCharsets.ISO_8859_1));
        assertSame(Body.EMPTY, Body.of(new byte[0]));
    }
}
