package dev.wiretap.proxy.http2;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: HPACK field blocks ({@link FieldBlockDecoder}: Jetty's decoder, then wiretap's checks and its text of
 * the fields), a connection's blocks one after another through one decoder, so that its dynamic table carries state
 * from block to block. The input is blocks, each after a two-byte length. Each must decode to a field block or an
 * {@link Http2Exception} (a stream error for a malformed message, a connection error for a block that cannot be
 * decoded or is over the 8 KiB list limit: an HPACK bomb stops there), never another exception, in memory bounded by
 * the limit. Seeds: request and response blocks with indexed, literal and Huffman-coded fields and table size updates.
 */
class FieldBlockFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(2 << 20, 256);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void decodesAnyBlocksOrRefusesThem(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            FieldBlockDecoder decoder = new FieldBlockDecoder(8 * 1024);
            int p = 0;
            int streamId = 1;
            while (p + 2 <= input.length) {
                int length = Math.min((input[p] & 0xFF) << 8 | input[p + 1] & 0xFF, input.length - p - 2);
                byte[] block = Arrays.copyOfRange(input, p + 2, p + 2 + length);
                p += 2 + length;
                try {
                    FieldBlock fields = decoder.decode(block, streamId);
                    fields.toString();
                } catch (Http2Exception e) {
                    if (e.isConnectionError()) {
                        return; // the table can no longer be trusted: the connection ends here
                    }
                }
                streamId += 2;
            }
        });
    }
}
