package dev.wiretap.proxy.export;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: session files ({@link SessionFile#read}), what {@code load} and the web UI's import read from disk. Each
 * input is read twice: as a whole file (signature, header, gzip), and as the records inside one (wrapped here in a
 * valid header and gzip stream, since mutations of compressed bytes rarely reach the records). Any bytes must give
 * flows and warnings or a {@link SessionFileException}; nothing else, and no more memory than the bytes back. Seeds:
 * session files written by {@link SessionFile#write} (two flows, none) and the records inside them.
 */
class SessionFileFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(2 << 20, 256);
    private static final byte[] SIGNATURE = {(byte) 0x89, 'W', 'I', 'R', 'E', 'T', 'A', 'P', '\r', '\n', 0x1A, '\n'};

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnySessionFileAsFlowsWarningsOrARefusal(byte[] input) throws Exception {
        byte[] wrapped = sessionFileHolding(input);
        LIMIT.check(input.length, () -> {
            read(input);
            read(wrapped);
        });
    }

    private static void read(byte[] file) throws Exception {
        try {
            SessionFile.read(new ByteArrayInputStream(file), "fuzz.wiretap", SessionFile.DEFAULT_MAX_FLOW_BYTES, flow -> flow.id());
        } catch (SessionFileException refused) {
            // a documented outcome: not a session file, or one of another format
        }
    }

    /** A session file of format 1 whose gzip stream holds {@code records}. */
    private static byte[] sessionFileHolding(byte[] records) throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream head = new DataOutputStream(file);
        head.write(SIGNATURE);
        head.writeShort(1);
        byte[] version = "fuzz".getBytes(StandardCharsets.UTF_8);
        head.writeShort(version.length);
        head.write(version);
        try (GZIPOutputStream gzip = new GZIPOutputStream(file)) {
            gzip.write(records);
        }
        return file.toByteArray();
    }
}
