package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import dev.wiretap.proxy.flow.Headers;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: a trailer section on its own ({@link ChunkedReader#readTrailers}, the field lines after a chunked
 * body's last chunk), which the fuzzer reaches far more often this way than through whole chunked bodies. The result
 * must be trailer fields whose text is the section as it came, or a 400 or 431 (from a client; 431 for too many or too
 * large) or 502 (from an origin), or the stream ending; all at once and one byte at a time alike. Seeds: gRPC's status
 * trailers, checksums, none.
 */
class TrailersFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(1 << 20, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyTrailerSectionOrAProtocolError(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            for (boolean fromClient : new boolean[] {true, false}) {
                Delivery.assertReadsAlikeHoweverTheyArrive(input, (delivery, bytes) -> read(delivery, bytes, fromClient));
            }
        });
    }

    private static String read(Delivery delivery, byte[] bytes, boolean fromClient) throws Exception {
        HttpInput in = delivery.input(bytes);
        ChunkedReader reader = fromClient ? ChunkedReader.fromClient(in, StreamTranscript.LIMITS)
                : ChunkedReader.fromOrigin(in, StreamTranscript.LIMITS);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try {
            Headers trailers = reader.readTrailers(raw);
            assertArrayEquals(Arrays.copyOf(bytes, (int) in.consumedCount()), raw.toByteArray(),
                    "the section copied out is the bytes read");
            return trailers.size() + " " + trailers;
        } catch (ProtocolException e) {
            if (fromClient ? e.status() != 400 && e.status() != 431 : e.status() != 502) {
                throw new AssertionError("status " + e.status() + ": " + e.reason(), e);
            }
            return e.status() + " " + e.reason();
        } catch (EOFException e) {
            return "ended";
        }
    }
}
