package dev.wiretap.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command running in a real pseudo-terminal: a detached tmux session of its own (on a tmux server of its own, so
 * tests never touch the user's), driven with send-keys and read with capture-pane. For end-to-end tests of the
 * console as a user runs it.
 */
final class TmuxSession implements AutoCloseable {

    private final Path socket;
    private final String name;

    private TmuxSession(Path socket, String name) {
        this.socket = socket;
        this.name = name;
    }

    static boolean available() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Starts {@code command} in a {@code columns} x {@code rows} terminal, with {@code env} (NAME=value) set. */
    static TmuxSession start(Path dir, List<String> env, List<String> command, int columns, int rows)
            throws IOException, InterruptedException {
        TmuxSession session = new TmuxSession(dir.resolve("tmux.sock"), "wiretap-test");
        StringBuilder shell = new StringBuilder("env");
        for (String e : env) {
            shell.append(' ').append(quote(e));
        }
        for (String c : command) {
            shell.append(' ').append(quote(c));
        }
        session.tmux("new-session", "-d", "-s", session.name, "-x", Integer.toString(columns), "-y", Integer.toString(rows),
                "sh", "-c", shell + "; echo '[exited '$?']'; sleep 600");
        session.tmux("set-option", "-t", session.name, "history-limit", "5000");
        return session;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Sends keys as tmux names them: literal text, or {@code Enter}, {@code Tab}, {@code C-c}. */
    void keys(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", name));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types {@code text} literally, then Enter. */
    void line(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-t", name, "-l", text);
        tmux("send-keys", "-t", name, "Enter");
    }

    /** The screen and its scrollback as text. */
    String screen() throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-J", "-S", "-5000", "-t", name);
    }

    /** Waits until the screen shows {@code text}; fails with the screen when it does not in time. */
    String waitFor(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String screen = "";
        while (System.nanoTime() < deadline) {
            screen = screen();
            if (screen.contains(text)) {
                return screen;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the terminal did not show '" + text + "' within " + timeout + ":\n" + screen);
    }

    String waitFor(String text) throws IOException, InterruptedException {
        return waitFor(text, Duration.ofSeconds(20));
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            tmux("kill-server");
        } catch (IOException e) {
            // Already gone.
        }
    }
}
