package dev.wiretap.cli;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches one file (the config file) and calls back once it has changed and gone quiet. It watches the file's
 * directory rather than the file, so that editors that save by writing a new file and renaming it over the old one
 * (vim, IntelliJ, most with "safe write") are seen as well as those that write in place; and, when the file is a
 * symbolic link, the directory of the file it points to as well. Events come in bursts (truncate, write, rename, a
 * backup file), so the callback runs only after {@value #QUIET_MILLIS} ms without another event for the file.
 *
 * <p>One daemon platform thread, {@code wiretap-config-watch}, waits for events and runs the callback; a callback
 * that throws is reported and watching goes on, so a fault here never takes wiretap down. {@link #close} stops it.
 */
final class ConfigWatcher implements AutoCloseable {

    static final long QUIET_MILLIS = 200;

    private final WatchService watch;
    private final Set<Path> targets;
    private final Runnable onChange;
    private final Consumer<String> problems;
    private final Thread thread;
    private volatile boolean closed;

    private ConfigWatcher(WatchService watch, Set<Path> targets, Runnable onChange, Consumer<String> problems) {
        this.watch = watch;
        this.targets = targets;
        this.onChange = onChange;
        this.problems = problems;
        this.thread = Thread.ofPlatform().name("wiretap-config-watch").daemon(true).unstarted(this::watchLoop);
    }

    /**
     * Starts watching {@code file}; {@code onChange} runs on the watcher's thread after each quiet edit. If the
     * platform cannot watch it, says so to {@code problems} (wiretap runs on with the settings it has) and returns
     * empty.
     */
    static Optional<ConfigWatcher> start(Path file, Runnable onChange, Consumer<String> problems) {
        Path absolute = file.toAbsolutePath().normalize();
        Set<Path> targets = new LinkedHashSet<>();
        targets.add(absolute);
        try {
            targets.add(absolute.toRealPath());
        } catch (IOException e) {
            // No real path to add (the file is gone already): the link's own directory is watched all the same.
        }
        WatchService watch = null;
        try {
            watch = absolute.getFileSystem().newWatchService();
            Set<Path> dirs = new LinkedHashSet<>();
            for (Path target : targets) {
                dirs.add(target.getParent());
            }
            for (Path dir : dirs) {
                dir.register(watch, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
            }
        } catch (IOException | UnsupportedOperationException e) {
            closeQuietly(watch);
            problems.accept("wiretap: warning: cannot watch " + file + " for changes (" + e.getMessage()
                    + "); restart wiretap to apply edits");
            return Optional.empty();
        }
        ConfigWatcher watcher = new ConfigWatcher(watch, Set.copyOf(targets), onChange, problems);
        watcher.thread.start();
        return Optional.of(watcher);
    }

    /** Stops watching and waits (briefly) for a callback under way to finish. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(watch);
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the watching thread is still running. */
    boolean isWatching() {
        return thread.isAlive();
    }

    private void watchLoop() {
        try {
            while (!closed) {
                if (!isAboutTheFile(watch.take())) {
                    continue;
                }
                WatchKey more;
                while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    isAboutTheFile(more);
                }
                if (!closed) {
                    runCallback();
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // close() was called: the end of watching.
        }
    }

    private void runCallback() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            // A reload fault must not end the watching (nor wiretap): report it and wait for the next edit.
            problems.accept("wiretap: reloading the config failed: " + e);
        }
    }

    /** Takes the key's events; true if one is about a watched file (or events were lost). */
    private boolean isAboutTheFile(WatchKey key) {
        Path dir = (Path) key.watchable();
        boolean ours = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW || event.context() instanceof Path name && targets.contains(dir.resolve(name))) {
                ours = true;
            }
        }
        if (!key.reset() && !closed && !Files.isDirectory(dir)) {
            problems.accept("wiretap: warning: " + dir + " was removed; no longer watching the config file for changes");
        }
        return ours;
    }

    private static void closeQuietly(WatchService watch) {
        if (watch == null) {
            return;
        }
        try {
            watch.close();
        } catch (IOException e) {
            // Closing releases the platform's watch handles; if that fails there is nothing left to do about it.
        }
    }
}
