package dev.wiretap.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Headers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Frames as bytes: what the writer puts on the wire, and what the reader makes of bytes (RFC 9113 section 4). */
class FrameCodecTest {

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void writesControlFramesByteForByte() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(wire);
        w.settings(Frame.SETTINGS_MAX_CONCURRENT_STREAMS, 100);
        w.settingsAck();
        w.ping(true, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        w.windowUpdate(3, 65_536);
        w.rstStream(5, ErrorCode.CANCEL);
        w.goAway(7, ErrorCode.ENHANCE_YOUR_CALM, "calm");
        assertArrayEquals(hex("000006 04 00 00000000 0003 00000064"
                + "000000 04 01 00000000"
                + "000008 06 01 00000000 0102030405060708"
                + "000004 08 00 00000003 00010000"
                + "000004 03 00 00000005 00000008"
                + "00000c 07 00 00000000 00000007 0000000b 63616c6d"), wire.toByteArray());
    }

    @Test
    void readsWhatTheWriterWrote() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(wire);
        w.data(1, "hello".getBytes(), 0, 5, true, true);
        FrameReader r = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), 16_384);
        Frame f = r.read();
        assertEquals(Frame.DATA, f.type());
        assertEquals(1, f.streamId());
        assertTrue(f.has(Frame.FLAG_END_STREAM));
        assertArrayEquals("hello".getBytes(), f.payload());
        assertNull(r.read(), "a clean end between frames");
    }

    @Test
    void refusesAFrameLargerThanAdvertisedBeforeReadingIt() {
        FrameReader r = new FrameReader(new ByteArrayInputStream(hex("004001 00 00 00000001")), 16_384);
        Http2Exception e = assertThrows(Http2Exception.class, r::read);
        assertEquals(ErrorCode.FRAME_SIZE_ERROR, e.code());
        assertTrue(e.isConnectionError());
    }

    @Test
    void aFrameCutShortIsAnEndOfStream() {
        FrameReader r = new FrameReader(new ByteArrayInputStream(hex("000005 00 00 00000001 6865")), 16_384);
        assertThrows(EOFException.class, r::read);
    }

    @Test
    void splitsAHeaderBlockLargerThanAFrameIntoContinuations() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(wire);
        Headers fields = new FieldLinesFixture().request("GET", "/", "x-big", "y".repeat(40_000));
        w.headers(1, fields, true, true);
        FrameReader r = new FrameReader(new ByteArrayInputStream(wire.toByteArray()), 16_384);
        Frame first = r.read();
        assertEquals(Frame.HEADERS, first.type());
        assertTrue(first.has(Frame.FLAG_END_STREAM));
        assertTrue(!first.has(Frame.FLAG_END_HEADERS));
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(first.payload());
        Frame next;
        int continuations = 0;
        do {
            next = r.read();
            assertEquals(Frame.CONTINUATION, next.type());
            block.write(next.payload());
            continuations++;
        } while (!next.has(Frame.FLAG_END_HEADERS));
        assertTrue(continuations >= 1);
        Headers decoded = new FieldBlockDecoder(64 * 1024).decode(block.toByteArray(), 1).fields();
        assertEquals("y".repeat(40_000), decoded.first("x-big").orElseThrow());
    }
}
