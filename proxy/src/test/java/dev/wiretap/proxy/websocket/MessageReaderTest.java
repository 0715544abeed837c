package dev.wiretap.proxy.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.flow.WebSocketMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * Frames to messages, from bytes alone: whatever the chunks the relay happens to read (split at every byte here), the
 * same messages come out, a character split between fragments stays whole, a ping between fragments stands alone, and a
 * compressed message is inflated with the RFC 7692 tail, also when it refers back into the one before it.
 */
class MessageReaderTest {

    private static byte[] frame(int b0, byte[] payload, byte[] mask) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int m = mask == null ? 0 : 0x80;
        if (payload.length < 126) {
            out.write(m | payload.length);
        } else {
            out.write(m | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        }
        if (mask != null) {
            out.writeBytes(mask);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ (mask == null ? 0 : mask[i & 3]));
        }
        return out.toByteArray();
    }

    /** Reads {@code wire} split into two chunks at {@code split}; returns the messages as text. */
    private static List<String> read(byte[] wire, int split, boolean fromClient, boolean deflate) throws WebSocketViolation {
        List<String> got = new ArrayList<>();
        AgreedExtensions ext = deflate ? new AgreedExtensions(true, false, false, "") : AgreedExtensions.NONE;
        FrameReader frames = new FrameReader(fromClient, deflate);
        try (MessageReader messages = new MessageReader(fromClient, ext, 1 << 20, 1 << 24, new AtomicLong(),
                m -> got.add(m.type() + (m.compressed() ? "(deflated " + m.wireSize() + ")" : "") + ":" + describe(m)))) {
            frames.read(ByteBuffer.wrap(wire, 0, split), messages);
            frames.read(ByteBuffer.wrap(wire, split, wire.length - split), messages);
        }
        return got;
    }

    private static String describe(WebSocketMessage m) {
        return m.type() == WebSocketMessage.Type.BINARY ? Arrays.toString(m.content()) : m.text();
    }

    @Test
    void givesTheSameMessagesWhereverTheBytesAreSplit() throws Exception {
        byte[] check = "✓".getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(frame(0x01, new byte[] {'o', 'k', check[0]}, mask));
        wire.writeBytes(frame(0x89, "ping".getBytes(StandardCharsets.US_ASCII), mask));
        wire.writeBytes(frame(0x80, new byte[] {check[1], check[2]}, mask));
        wire.writeBytes(frame(0x82, new byte[] {0, (byte) 0xFF}, mask));
        wire.writeBytes(frame(0x88, new byte[] {0x03, (byte) 0xE8}, mask));
        byte[] bytes = wire.toByteArray();
        for (int split = 0; split <= bytes.length; split++) {
            assertEquals(List.of("PING:ping", "TEXT:ok✓", "BINARY:[0, -1]", "CLOSE:" + new String(new byte[] {3, (byte) 0xE8},
                    StandardCharsets.UTF_8)), read(bytes, split, true, false), "split at " + split);
        }
    }

    @Test
    void inflatesCompressedMessagesThatReferBackIntoEarlierOnes() throws Exception {
        String text = "the same words again and again, ".repeat(10);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 2; i++) {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[4096];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            // RFC 7692 section 7.2.1: the sender leaves the sync flush's 00 00 FF FF out.
            wire.writeBytes(frame(0xC1, Arrays.copyOf(out, n - 4), null));
        }
        byte[] bytes = wire.toByteArray();
        for (int split : new int[] {0, 1, 7, bytes.length / 2, bytes.length - 1}) {
            List<String> got = read(bytes, split, false, true);
            assertEquals(2, got.size());
            assertEquals(":" + text, got.get(1).substring(got.get(1).indexOf(':')), "split at " + split);
            assertEquals(":" + text, got.get(0).substring(got.get(0).indexOf(':')), "split at " + split);
        }
    }
}
