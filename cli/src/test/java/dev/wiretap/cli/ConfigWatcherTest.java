package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watching the config file on the real file system: edits in place and editors' write-and-rename both call back,
 * after the burst of events has gone quiet, with the new content there to read; a failing callback does not end the
 * watching; closing ends it.
 */
class ConfigWatcherTest {

    @TempDir
    Path dir;

    private Path file;
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private ConfigWatcher watcher;

    @BeforeEach
    void watch() throws Exception {
        file = Files.writeString(dir.resolve("config.yaml"), "version: 1\n");
        watcher = ConfigWatcher.start(file, () -> seen.add(read()), problems::add).orElseThrow();
    }

    @AfterEach
    void close() {
        watcher.close();
    }

    @Test
    void callsBackAfterAnEditInPlaceWithTheNewContent() throws Exception {
        Files.writeString(file, "version: 2\n");

        assertEquals("version: 2\n", next());
        assertEquals(List.of(), problems);
    }

    @Test
    void callsBackWhenAnEditorWritesANewFileAndRenamesItOverTheOld() throws Exception {
        Path temp = Files.writeString(dir.resolve(".config.yaml.swp"), "version: 3\n");
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertEquals("version: 3\n", next());
    }

    @Test
    void callsBackWithTheLastContentAfterABurstOfWrites() throws Exception {
        for (int i = 4; i <= 20; i++) {
            Files.writeString(file, "version: " + i + "\n");
        }

        String last = next();
        while (!last.equals("version: 20\n")) {
            last = next(); // a slow machine may see the burst as more than one; the last one always comes
        }
    }

    @Test
    void goesOnWatchingAfterACallbackFails() throws Exception {
        watcher.close();
        BlockingQueue<String> calls = new LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        watcher = ConfigWatcher.start(file, () -> {
            calls.add(read());
            if (count.incrementAndGet() == 1) { // not calls.size(): the test takes from the queue meanwhile
                throw new IllegalStateException("a bug in the reload");
            }
        }, problems::add).orElseThrow();

        Files.writeString(file, "version: 5\n");
        assertEquals("version: 5\n", calls.poll(10, TimeUnit.SECONDS));
        Files.writeString(file, "version: 6\n");
        String second = calls.poll(10, TimeUnit.SECONDS);
        while ("version: 5\n".equals(second)) {
            second = calls.poll(10, TimeUnit.SECONDS);
        }

        assertEquals("version: 6\n", second);
        for (int i = 0; i < 100 && problems.isEmpty(); i++) {
            Thread.sleep(50); // the report comes from the watcher's thread
        }
        assertEquals("wiretap: reloading the config failed: java.lang.IllegalStateException: a bug in the reload", problems.get(0));
    }

    @Test
    void closingStopsTheWatchingThread() throws Exception {
        assertTrue(watcher.isWatching());
        watcher.close();

        assertFalse(watcher.isWatching());
        watcher.close(); // twice is fine
    }

    @Test
    void saysSoWhenItCannotWatch() {
        List<String> said = new CopyOnWriteArrayList<>();

        assertTrue(ConfigWatcher.start(dir.resolve("no-such-dir/config.yaml"), () -> { }, said::add).isEmpty());
        assertEquals(1, said.size());
        assertTrue(said.get(0).startsWith("wiretap: warning: cannot watch " + dir.resolve("no-such-dir/config.yaml")
                + " for changes ("), said.get(0));
    }

    // ---------------------------------------------------------------------------------------------------------

    private String next() throws InterruptedException {
        String content = seen.poll(10, TimeUnit.SECONDS);
        assertNotNull(content, "no callback within 10 s");
        return content;
    }

    private String read() {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "unreadable: " + e;
        }
    }
}
