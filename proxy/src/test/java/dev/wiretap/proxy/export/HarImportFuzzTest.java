package dev.wiretap.proxy.export;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.io.ByteArrayInputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: HAR import ({@link HarReader}, as {@link FlowImport} uses it once {@link FlowImport#detect} has told a
 * HAR by its first bytes): JSON from Chrome, Firefox or anyone, streamed into flows with bodies decoded from base64 and
 * coded again as their fields say. Any bytes must give flows and warnings or a {@link HarFileException}, within memory
 * the bytes back (strings are cut at the import limits). Seeds: a Chrome and a Firefox export, and small HARs with
 * base64, gzip and WebSocket entries.
 */
class HarImportFuzzTest {

    /** Small bounds, so that cutting long strings and bodies is reached with inputs of a few KiB. */
    private static final ImportLimits LIMITS = new ImportLimits(1024, 16, 2048, 1 << 20);
    private static final AllocationLimit LIMIT = new AllocationLimit(4 << 20, 512);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyHarAsFlowsWarningsOrARefusal(byte[] input) throws Exception {
        LIMIT.check(input.length, () -> {
            FlowImport.detect(input);
            try {
                HarReader.read(new ByteArrayInputStream(input), "fuzz.har", LIMITS, flow -> flow.id());
            } catch (HarFileException refused) {
                // a documented outcome: not a HAR file, with the JSON path or the line and column saying why
            }
        });
    }
}
