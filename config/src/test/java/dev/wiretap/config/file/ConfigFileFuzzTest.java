package dev.wiretap.config.file;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: the config loader ({@link ConfigLoader}: {@link YamlReader}, the options, {@link RulesReader}), from a
 * file's bytes to {@code Settings} and rules. Any file must load or give a {@link ConfigError} naming the file and,
 * when it has one, a line of the file; never another exception. The file sits in a directory with the files the
 * reference's sample rules name ({@code mocks/user.json}, {@code static/}), so rules that name them load. Seeds: the
 * reference's sample config, a file of settings, anchors and aliases, and broken files. See docs/reliability.md.
 */
class ConfigFileFuzzTest {

    private static final AllocationLimit LIMIT = new AllocationLimit(8 << 20, 4096);
    private static final Path DIR = directory();
    private static final Path FILE = DIR.resolve("config.yaml");

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("wiretap-config-fuzz");
            dir.toFile().deleteOnExit();
            Files.createDirectories(dir.resolve("mocks"));
            Files.createDirectories(dir.resolve("static"));
            Files.writeString(dir.resolve("mocks/user.json"), "{\"id\": 1}\n");
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyFileAsSettingsOrAnErrorWithItsLine(byte[] input) throws Exception {
        Files.write(FILE, input);
        long lines = lineBreaksAtMost(input) + 1;
        LIMIT.check(input.length, () -> {
            try {
                ConfigLoader.load(Optional.of(FILE), List.of());
            } catch (ConfigError e) {
                String where = e.where();
                if (where == null || !where.startsWith("config.yaml") && !where.startsWith(FILE.toString())) {
                    throw new AssertionError("the error does not name the file: " + e.getMessage(), e);
                }
                // config.yaml, config.yaml:LINE or config.yaml:LINE:COLUMN
                String[] parts = where.substring(where.startsWith("config.yaml") ? "config.yaml".length() : FILE.toString().length())
                        .split(":");
                if (parts.length > 1) {
                    long line = Long.parseLong(parts[1]);
                    if (line < 1 || line > lines + 1) { // an error at the end may name the line after the last
                        throw new AssertionError("line " + line + " of a " + lines + "-line file: " + e.getMessage(), e);
                    }
                }
            }
        });
    }

    /** Line breaks in YAML's sense, counted generously: LF, CR, NEL (0x85) and the lead byte of U+2028 and U+2029. */
    private static long lineBreaksAtMost(byte[] input) {
        long n = 0;
        for (byte b : input) {
            if (b == '\n' || b == '\r' || b == (byte) 0x85 || b == (byte) 0xE2) {
                n++;
            }
        }
        return n;
    }
}
