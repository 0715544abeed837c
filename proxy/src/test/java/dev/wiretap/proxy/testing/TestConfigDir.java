package dev.wiretap.proxy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One temporary wiretap config directory for the whole test run, so tests never touch the user's ~/.wiretap. */
public final class TestConfigDir {

    private static Path dir;

    private TestConfigDir() {
    }

    public static synchronized Path get() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("wiretap-test-home-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }
}
