package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.ReadTimer;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.Pacer;
import dev.wiretap.proxy.testing.ManualClock;
import static dev.wiretap.proxy.http1.Delivery.bytes;
import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.http1.BodyRelay.Mode;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class BodyRelayTest {

    /** Extensions with token and quoted-string values (escapes and BWS included), then two trailer fields. */
    private static final String CHUNKED = "4;name=value;q=\"a \\\"quoted\\\" ;x\"\r\nWiki\r\n"
            + "5 ; ext = tok ;flag\r\npedia\r\n"
            + "E\r\n in\r\n\r\nchunks.\r\n"
            + "0;last\r\nExpires: never\r\nX-Sum: abc\r\n\r\n";
    private static final String PAYLOAD = "Wikipedia in\r\n\r\nchunks.";

    /** Captures everything written, through a 64-byte output buffer so writes reach the stream as they go. */
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final HttpOutput out = new HttpOutput(sent, new BufferPool(64, 1));

    private static BodyRelay relay(int captureCap) {
        return new BodyRelay(Limits.DEFAULTS, new BufferPool(4096, 2), captureCap);
    }

    private String sentText() throws IOException {
        out.flush();
        return sent.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void relaysAChunkedBodyWithExtensionsAndTrailersByteForByte(Delivery delivery) throws Exception {
        HttpInput in = delivery.input(CHUNKED + "GET /next");

        Body body = relay(1024).relay(in, BodyFraming.CHUNKED, false, out, Mode.AS_IS);

        assertEquals(CHUNKED, sentText());
        assertEquals(PAYLOAD, body.text(StandardCharsets.ISO_8859_1));
        assertEquals(PAYLOAD.length(), body.size());
        assertFalse(body.isTruncated());
        assertEquals('G', in.read(), "the relay stops at the end of the body");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void dechunkingSendsThePayloadOnly(Delivery delivery) throws Exception {
        HttpInput in = delivery.input(CHUNKED + "GET /next");

        Body body = relay(1024).relay(in, BodyFraming.CHUNKED, false, out, Mode.DECHUNK);

        assertEquals(PAYLOAD, sentText());
        assertEquals(PAYLOAD.length(), body.size());
        assertEquals('G', in.read());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void chunkingReencodesACloseDelimitedBodyAndEndsWithTheLastChunk(Delivery delivery) throws Exception {
        String payload = "a close-delimited body\r\n0\r\n\r\nthat looks like chunks";
        HttpInput in = delivery.input(payload);

        Body body = relay(1024).relay(in, BodyFraming.UNTIL_CLOSE, false, out, Mode.CHUNK);

        String chunked = sentText();
        assertTrue(chunked.endsWith("\r\n0\r\n\r\n"), chunked);
        assertEquals(payload, dechunk(chunked));
        assertEquals(payload, body.text(StandardCharsets.ISO_8859_1));
        if (delivery == Delivery.WHOLE) {
            assertEquals(Integer.toHexString(payload.length()) + "\r\n" + payload + "\r\n0\r\n\r\n", chunked);
        }
    }

    @Test
    void chunkingAnEmptyCloseDelimitedBodySendsOnlyTheLastChunk() throws Exception {
        Body body = relay(1024).relay(Delivery.WHOLE.input(""), BodyFraming.UNTIL_CLOSE, false, out, Mode.CHUNK);

        assertEquals("0\r\n\r\n", sentText());
        assertSame(Body.EMPTY, body);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void relaysACloseDelimitedBodyAsItCameUntilTheEnd(Delivery delivery) throws Exception {
        Body body = relay(1024).relay(delivery.input("all of it\r\n0\r\n\r\n"), BodyFraming.UNTIL_CLOSE, false, out, Mode.AS_IS);

        assertEquals("all of it\r\n0\r\n\r\n", sentText());
        assertEquals(16, body.size());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void relaysAFixedLengthBodyAndLeavesTheNextMessageUnread(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("hello worldGET / HTTP/1.1\r\n");

        Body body = relay(1024).relay(in, new BodyFraming.Fixed(11), true, out, Mode.AS_IS);

        assertEquals("hello world", sentText());
        assertEquals("hello world", body.text(StandardCharsets.ISO_8859_1));
        assertEquals('G', in.read());
    }

    @Test
    void relaysAFixedBodyLargerThanTheInputBufferByteForByte() throws Exception {
        byte[] body = new byte[300_000];
        new Random(42).nextBytes(body);
        byte[] wire = new byte[body.length + 4];
        System.arraycopy(body, 0, wire, 0, body.length);
        System.arraycopy(bytes("NEXT"), 0, wire, body.length, 4);
        int[] largestRead = new int[1];
        InputStream stream = new ByteArrayInputStream(wire) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                largestRead[0] = Math.max(largestRead[0], len);
                return super.read(b, off, len);
            }
        };
        HttpInput in = new HttpInput(stream, 1024, ReadTimer.NONE);
        HttpOutput bigOut = new HttpOutput(sent, new BufferPool(8192, 1));

        Body captured = relay(1000).relay(in, new BodyFraming.Fixed(body.length), true, bigOut, Mode.AS_IS);
        bigOut.flush();

        assertArrayEquals(body, sent.toByteArray());
        assertEquals(body.length, captured.size());
        assertEquals(1000, captured.capturedLength());
        assertTrue(captured.isTruncated());
        assertEquals(body.length, in.consumedCount());
        assertEquals(1024, in.capacity(), "a body never makes the input buffer grow");
        assertEquals(4096, largestRead[0], "large bodies are read straight into the relay's pooled buffer");
        assertEquals('N', in.read());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void relaysALargeChunkedBodyByteForByte(Delivery delivery) throws Exception {
        byte[] data = new byte[20_000];
        new Random(7).nextBytes(data);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.write(bytes("4e20\r\n"));
        wire.write(data);
        wire.write(bytes("\r\n0\r\n\r\n"));

        Body body = relay(64).relay(delivery.input(wire.toByteArray()), BodyFraming.CHUNKED, true, out, Mode.AS_IS);
        out.flush();

        assertArrayEquals(wire.toByteArray(), sent.toByteArray());
        assertEquals(20_000, body.size());
        assertArrayEquals(java.util.Arrays.copyOf(data, 64), body.bytes());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void capturesUpToTheCapAndCountsEveryPayloadByte(Delivery delivery) throws Exception {
        Body fixed = relay(4).relay(delivery.input("hello world"), new BodyFraming.Fixed(11), true, out, Mode.AS_IS);
        Body chunked = relay(6).relay(delivery.input(CHUNKED), BodyFraming.CHUNKED, true, out, Mode.AS_IS);
        Body whole = relay(11).relay(delivery.input("hello world"), new BodyFraming.Fixed(11), true, out, Mode.AS_IS);
        Body nothing = relay(0).relay(delivery.input("abc"), new BodyFraming.Fixed(3), true, out, Mode.AS_IS);

        assertEquals("hell", fixed.text(StandardCharsets.ISO_8859_1));
        assertEquals(4, fixed.capturedLength());
        assertEquals(11, fixed.size());
        assertTrue(fixed.isTruncated());
        assertEquals("Wikipe", chunked.text(StandardCharsets.ISO_8859_1));
        assertEquals(PAYLOAD.length(), chunked.size());
        assertTrue(chunked.isTruncated());
        assertEquals(11, whole.capturedLength());
        assertFalse(whole.isTruncated());
        assertEquals(0, nothing.capturedLength());
        assertEquals(3, nothing.size());
        assertTrue(nothing.isTruncated());
    }

    @Test
    void relaysNothingForABodylessMessage() throws Exception {
        HttpInput in = Delivery.WHOLE.input("GET / HTTP/1.1\r\n");

        Body body = relay(1024).relay(in, BodyFraming.NONE, true, out, Mode.AS_IS);

        assertSame(Body.EMPTY, body);
        assertEquals("", sentText());
        assertEquals('G', in.read());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("truncatedBodies")
    void blamesTheSenderWhenItsBodyEndsEarly(String why, BodyFraming framing, String wire) {
        for (Delivery delivery : Delivery.values()) {
            RelayException e = assertThrows(RelayException.class,
                    () -> relay(1024).relay(delivery.input(wire), framing, true, out, Mode.AS_IS), why);

            assertTrue(e.isSourceFault(), why + " via " + delivery);
            assertFalse(e.isProtocolFault(), why + " via " + delivery);
            assertInstanceOf(EOFException.class, e.getCause(), why + " via " + delivery);
        }
    }

    static Stream<Arguments> truncatedBodies() {
        return Stream.of(
                Arguments.of("fixed body cut short", new BodyFraming.Fixed(11), "hello"),
                Arguments.of("fixed body missing entirely", new BodyFraming.Fixed(11), ""),
                Arguments.of("end inside a chunk-size line", BodyFraming.CHUNKED, "5"),
                Arguments.of("end inside chunk data", BodyFraming.CHUNKED, "5\r\nhel"),
                Arguments.of("end before the CRLF after data", BodyFraming.CHUNKED, "5\r\nhello"),
                Arguments.of("end between CR and LF after data", BodyFraming.CHUNKED, "5\r\nhello\r"),
                Arguments.of("end before the last chunk", BodyFraming.CHUNKED, "5\r\nhello\r\n"),
                Arguments.of("end before the trailer section", BodyFraming.CHUNKED, "5\r\nhello\r\n0\r\n"),
                Arguments.of("end inside a trailer", BodyFraming.CHUNKED, "0\r\nX-Sum: 1\r\n"));
    }

    @Test
    void reportsHowFarABrokenBodyGot() {
        RelayException e = assertThrows(RelayException.class,
                () -> relay(1024).relay(Delivery.WHOLE.input("hello"), new BodyFraming.Fixed(11), true, out, Mode.AS_IS));

        assertEquals(5, e.bytesRelayed());
    }

    @Test
    void blamesTheSenderWhenItTimesOut() {
        HttpInput in = Delivery.WHOLE.input("hello world");
        in.setDeadline(System.nanoTime() - 1);

        RelayException e = assertThrows(RelayException.class,
                () -> relay(1024).relay(in, new BodyFraming.Fixed(11), true, out, Mode.AS_IS));

        assertTrue(e.isSourceFault());
        assertTrue(e.isTimeout());
        assertInstanceOf(SocketTimeoutException.class, e.getCause());
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void blamesTheReceiverWhenTheOutputFails(Mode mode) {
        byte[] body = new byte[50_000];
        String wire;
        BodyFraming framing;
        if (mode == Mode.CHUNK) {
            wire = text(body);
            framing = BodyFraming.UNTIL_CLOSE;
        } else {
            wire = "c350\r\n" + text(body) + "\r\n0\r\n\r\n";
            framing = BodyFraming.CHUNKED;
        }
        HttpOutput failing = new HttpOutput(new FailingAfter(1000), new BufferPool(64, 1));

        RelayException e = assertThrows(RelayException.class,
                () -> relay(1024).relay(Delivery.WHOLE.input(wire), framing, false, failing, mode));

        assertFalse(e.isSourceFault());
        assertFalse(e.isProtocolFault());
        assertTrue(failing.hasFailed());
    }

    @Test
    void blamesTheReceiverWhenTheOutputFailsDuringALargeFixedBody() {
        byte[] body = new byte[100_000];
        HttpInput in = new HttpInput(new ByteArrayInputStream(body), 1024, ReadTimer.NONE);
        HttpOutput failing = new HttpOutput(new FailingAfter(10_000), new BufferPool(64, 1));

        RelayException e = assertThrows(RelayException.class,
                () -> relay(1024).relay(in, new BodyFraming.Fixed(body.length), true, failing, Mode.AS_IS));

        assertFalse(e.isSourceFault());
        assertTrue(e.bytesRelayed() < body.length);
    }

    static Stream<Arguments> pacedBodies() throws IOException {
        byte[] data = new byte[20_000];
        new Random(11).nextBytes(data);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        chunked.write(bytes("4e20\r\n"));
        chunked.write(data);
        chunked.write(bytes("\r\n0\r\n\r\n"));
        return Stream.of(
                Arguments.of("fixed", data, new BodyFraming.Fixed(data.length), Mode.AS_IS),
                Arguments.of("chunked", chunked.toByteArray(), BodyFraming.CHUNKED, Mode.AS_IS),
                Arguments.of("dechunked", chunked.toByteArray(), BodyFraming.CHUNKED, Mode.DECHUNK),
                Arguments.of("close-delimited, chunked", data, BodyFraming.UNTIL_CLOSE, Mode.CHUNK),
                Arguments.of("close-delimited", data, BodyFraming.UNTIL_CLOSE, Mode.AS_IS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pacedBodies")
    void aPacedRelaySendsTheSameBytesOneChunkAtATimeAtTheRate(String name, byte[] wire, BodyFraming framing, Mode mode)
            throws Exception {
        ByteArrayOutputStream unpaced = new ByteArrayOutputStream();
        HttpOutput unpacedOut = new HttpOutput(unpaced, new BufferPool(64 * 1024, 1));
        relay(64).relay(new HttpInput(new ByteArrayInputStream(wire), 4096, ReadTimer.NONE), framing, false, unpacedOut, mode);
        unpacedOut.flush();
        int[] largestWrite = new int[1];
        ByteArrayOutputStream paced = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                largestWrite[0] = Math.max(largestWrite[0], len);
                super.write(b, off, len);
            }
        };
        HttpOutput pacedOut = new HttpOutput(paced, new BufferPool(64 * 1024, 1));
        pacedOut.writeLatin1("HTTP/1.1 200 OK\r\n\r\n"); // a head written before the body counts against the rate
        ManualClock clock = new ManualClock();
        Pacer pacer = new Pacer(16_000, clock);

        Body body = relay(64).pacedBy(pacer, 0)
                .relay(new HttpInput(new ByteArrayInputStream(wire), 4096, ReadTimer.NONE), framing, false, pacedOut, mode);
        pacedOut.flush();

        assertArrayEquals(unpaced.toByteArray(), java.util.Arrays.copyOfRange(paced.toByteArray(), 19, paced.size()));
        assertEquals(20_000, body.size());
        assertTrue(largestWrite[0] <= 1000 + 19 + 16, "a paced write of " + largestWrite[0] + " bytes, chunk 1000");
        long minimum = (long) ((paced.size() - 19 - 2 * pacer.chunkBytes()) * 1e9 / 16_000);
        assertTrue(clock.slept() >= minimum, "paced for " + clock.slept() + " ns, expected at least " + minimum);
    }


    /** Decodes chunked framing with no checks beyond what this test needs, independently of ChunkedReader. */
    private static String dechunk(String chunked) {
        StringBuilder payload = new StringBuilder();
        int p = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", p);
            int size = Integer.parseInt(chunked.substring(p, eol), 16);
            p = eol + 2;
            if (size == 0) {
                assertEquals("\r\n", chunked.substring(p), "nothing after the last chunk but the empty line");
                return payload.toString();
            }
            assertTrue(size > 0);
            payload.append(chunked, p, p + size);
            p += size;
            assertEquals("\r\n", chunked.substring(p, p + 2));
            p += 2;
        }
    }

    /** A receiver that goes away after taking {@code limit} bytes. */
    private static final class FailingAfter extends OutputStream {
        private final int limit;
        private int taken;

        FailingAfter(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (taken + len > limit) {
                throw new IOException("Broken pipe");
            }
            taken += len;
        }
    }
}
