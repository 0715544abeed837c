package dev.wiretap.proxy.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import dev.wiretap.proxy.flow.CloseCodes;
import dev.wiretap.proxy.flow.WebSocketMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: one direction of a WebSocket as the tap reads it off the splice ({@link FrameReader} finding and
 * checking frame headers, {@link MessageReader} unmasking, capturing, checking UTF-8 and close payloads, inflating
 * permessage-deflate with context takeover). The first input byte says which direction it is (bit 0: the client's),
 * whether permessage-deflate was agreed (bit 1) and whether the sender resets its context (bit 2); the rest is the
 * bytes. They must read as messages, or end in a {@link WebSocketViolation} with a close code RFC 6455 allows wiretap
 * to send (1002, 1007, 1009); and the same messages and code whether they come in one chunk or a byte at a time. Small
 * limits (4 KiB messages, 1 KiB captured) so they are reached. Seeds: RFC 6455's and RFC 7692's examples, fragments,
 * pings, closes.
 */
class WebSocketFramesFuzzTest {

    private static final Set<Integer> CODES = Set.of(CloseCodes.PROTOCOL_ERROR, CloseCodes.INVALID_DATA, CloseCodes.TOO_BIG);
    private static final AllocationLimit LIMIT = new AllocationLimit(2 << 20, 256);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyBytesAsMessagesOrAViolation(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        boolean fromClient = (input[0] & 1) != 0;
        AgreedExtensions extensions = (input[0] & 2) == 0 ? AgreedExtensions.NONE
                : new AgreedExtensions(true, (input[0] & 4) != 0, (input[0] & 4) != 0, "");
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        LIMIT.check(input.length, () -> assertEquals(read(wire, fromClient, extensions, wire.length),
                read(wire, fromClient, extensions, 1), "the same bytes read differently a byte at a time"));
    }

    private static String read(byte[] wire, boolean fromClient, AgreedExtensions extensions, int chunkBytes) {
        StringBuilder t = new StringBuilder();
        FrameReader frames = new FrameReader(fromClient, extensions.deflate());
        try (MessageReader messages = new MessageReader(fromClient, extensions, 1024, 4096, new AtomicLong(),
                m -> t.append(describe(m)).append('\n'))) {
            for (int at = 0; at < wire.length; at += chunkBytes) {
                frames.read(ByteBuffer.wrap(wire, at, Math.min(chunkBytes, wire.length - at)), messages);
            }
            return t.append(frames.isAtFrameStart() ? "between frames" : "in a frame").toString();
        } catch (WebSocketViolation v) {
            if (!CODES.contains(v.closeCode())) {
                throw new AssertionError("close code " + v.closeCode() + ": " + v.reason(), v);
            }
            // The code, not the reason: a message with two faults (text that inflates to bad UTF-8, then a bad distance)
            // is refused for the one found first, and how much of it has arrived decides which.
            return t.append(v.closeCode()).toString();
        }
    }

    private static String describe(WebSocketMessage m) {
        return m.index() + " " + m.type() + " " + m.wireSize() + " " + m.size() + " " + m.compressed() + " "
                + HexFormat.of().formatHex(m.content()) + " " + m.closeCode() + " " + m.closeReason();
    }
}
