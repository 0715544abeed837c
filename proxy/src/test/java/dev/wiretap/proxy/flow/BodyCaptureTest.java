package dev.wiretap.proxy.flow;

import dev.wiretap.proxy.live.LiveFlow;
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

    @Test
    void takesRoomAsBytesArriveNotAsTheMessageDeclares() {
        CaptureBudget budget = new CaptureBudget(1 << 20);
        CaptureAccount account = budget.open(1 << 20, null);
        BodyCapture capture = account.capture(Flow.Side.REQUEST, 1 << 20);
        assertEquals(0, budget.usedBytes(), "nothing before the first byte");

        capture.add(bytes("x"), 0, 1);

        assertEquals(8 * 1024, budget.usedBytes(), "a megabyte declared, one byte sent: the first array only");
        byte[] chunk = new byte[8 * 1024];
        for (int i = 0; i < 4; i++) {
            capture.add(chunk, 0, chunk.length);
        }
        assertEquals(64 * 1024, budget.usedBytes(), "grown by doubling: 8k, 16k, 32k, 64k");
        assertEquals(1 + 4 * chunk.length, capture.finish().capturedLength());
        account.close();
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void aCaptureTheBudgetRefusesKeepsWhatItHasCountsEveryByteAndTheFlowSaysSo() {
        CaptureBudget budget = new CaptureBudget(20 * 1024);
        LiveFlow flow = new LiveFlow(1, new java.net.InetSocketAddress("127.0.0.1", 1), java.time.Instant.now(), 0,
                new Request("POST", "/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]));
        CaptureAccount first = budget.open(1 << 20, flow);
        BodyCapture taken = first.capture(Flow.Side.RESPONSE, -1);
        taken.add(new byte[16 * 1024], 0, 16 * 1024);
        assertEquals(16 * 1024, budget.usedBytes());

        CaptureAccount second = budget.open(1 << 20, flow);
        BodyCapture refused = second.capture(Flow.Side.REQUEST, 100_000);
        refused.add(bytes("a".repeat(3000)), 0, 3000); // the first array would be 8k: the 4k that is left is taken
        refused.add(bytes("b".repeat(3000)), 0, 3000);
        refused.add(bytes("c".repeat(3000)), 0, 3000);
        Body body = refused.finish();

        assertEquals(9000, body.size(), "every byte counted");
        assertEquals(4096, body.capturedLength(), "what the budget had left, and nothing past it");
        assertEquals("a".repeat(3000) + "b".repeat(1096), body.text(StandardCharsets.ISO_8859_1));
        assertEquals(20 * 1024, budget.usedBytes());
        assertEquals(1, flow.notes().size(), flow.notes().toString());
        assertTrue(flow.notes().get(0).startsWith("the request body was captured only in part: the memory for capturing"
                + " bodies of flows in flight (capture.in_flight_budget, 20 KiB) was in use"), flow.notes().toString());

        first.close();
        second.close();
        assertEquals(0, budget.usedBytes());
        BodyCapture afterwards = budget.open(1 << 20, null).capture(Flow.Side.REQUEST, -1);
        afterwards.add(new byte[3000], 0, 3000);
        assertEquals(3000, afterwards.finish().capturedLength(), "the room came back when the flows ended");
    }

    @Test
    void aCaptureThatCannotGrowKeepsFillingTheArrayItHas() {
        CaptureBudget budget = new CaptureBudget(8 * 1024);
        BodyCapture capture = budget.open(1 << 20, null).capture(Flow.Side.RESPONSE, 1 << 20);
        byte[] chunk = bytes("0123456789".repeat(500));
        capture.add(chunk, 0, chunk.length);
        capture.add(chunk, 0, chunk.length);
        capture.add(chunk, 0, chunk.length);

        Body body = capture.finish();

        assertEquals(15_000, body.size());
        assertEquals(8 * 1024, body.capturedLength(), "the first 8k, kept in the array it had");
        assertEquals(("0123456789".repeat(1500)).substring(0, 8 * 1024), body.text(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aClosedAccountGivesBackWhatADrawRacingItTook() {
        CaptureBudget budget = new CaptureBudget(1 << 20);
        CaptureAccount account = budget.open(1 << 20, null);
        account.close();
        BodyCapture late = account.capture(Flow.Side.REQUEST, -1);
        late.add(bytes("late"), 0, 4);
        assertEquals(0, budget.usedBytes());
        assertEquals(4, late.finish().size());
    }
}
