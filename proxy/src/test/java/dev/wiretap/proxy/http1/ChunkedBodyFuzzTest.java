package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: the chunked reader on its own ({@link ChunkedReader}: chunk-size lines with their extensions, the CRLF
 * after each chunk's data, the trailer section), stepped as {@link BodyRelay} steps it, from a client (faults are 400,
 * and 431 for a trailer section too large or with too many fields) and from an origin (faults are 502). The framing
 * bytes each step copies out must be exactly the bytes it read, and the bytes must read the same all at once and one
 * at a time. Seeds: chunked bodies with extensions, quoted strings, leading zeros and trailers, as the tests and gRPC
 * send them.
 */
class ChunkedBodyFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(1 << 20, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyChunkedBodyOrAProtocolError(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            for (boolean fromClient : new boolean[] {true, false}) {
                Delivery.assertReadsAlikeHoweverTheyArrive(input, (delivery, bytes) -> transcript(delivery, bytes, fromClient));
            }
        });
    }

    private static String transcript(Delivery delivery, byte[] bytes, boolean fromClient) throws Exception {
        HttpInput in = delivery.input(bytes);
        ChunkedReader reader = fromClient ? ChunkedReader.fromClient(in, StreamTranscript.LIMITS)
                : ChunkedReader.fromOrigin(in, StreamTranscript.LIMITS);
        // The framing each step copies out, and the data between, in the order they came: the bytes read, exactly.
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        byte[] data = new byte[256];
        StringBuilder t = new StringBuilder();
        try {
            while (true) {
                long size = reader.nextChunkSize(raw);
                t.append(size).append(';');
                if (size == 0) {
                    t.append(reader.readTrailers(raw));
                    break;
                }
                for (long left = size; left > 0; ) {
                    int n = in.read(data, 0, (int) Math.min(left, data.length));
                    if (n < 0) {
                        throw new EOFException("inside a chunk");
                    }
                    raw.write(data, 0, n);
                    left -= n;
                }
                reader.endChunk(raw);
            }
        } catch (ProtocolException e) {
            if (fromClient ? e.status() != 400 && e.status() != 431 : e.status() != 502) {
                throw new AssertionError("status " + e.status() + " for a " + (fromClient ? "client" : "origin") + ": "
                        + e.reason(), e);
            }
            return t.append(e.status()).append(' ').append(e.reason()).toString();
        } catch (EOFException e) {
            return t.append("ended").toString();
        }
        // Every framing byte read was copied out as it came (the relay forwards extensions and trailers untouched).
        assertArrayEquals(Arrays.copyOf(bytes, (int) in.consumedCount()), raw.toByteArray(),
                "the framing copied out, with the data between, is not the bytes that were read");
        return t.append(" consumed ").append(in.consumedCount()).toString();
    }
}
