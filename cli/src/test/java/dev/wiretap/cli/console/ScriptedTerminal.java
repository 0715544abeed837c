package dev.wiretap.cli.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A JLine terminal for tests: keys typed in through a pipe, everything the console writes collected as screen text
 * (escape sequences stripped), with a wait for text to appear. Not a mock: the console runs on JLine's real line
 * discipline and terminal code, only the wires are pipes.
 */
final class ScriptedTerminal implements AutoCloseable {

    private static final Pattern ESCAPES = Pattern.compile("\u001b\\[[0-9;?>=]*[ -/]*[@-~]|\u001b[()][0-9A-Za-z]|\u001b[=>78MDEc]|\r|\u0007");

    private final Keys keys = new Keys();
    private final Collector screen = new Collector();
    private final Terminal terminal;

    ScriptedTerminal(String type, int columns, int rows) throws IOException {
        terminal = TerminalBuilder.builder().system(false).streams(keys, screen).type(type).encoding(StandardCharsets.UTF_8)
                .size(new Size(columns, rows)).build();
    }

    Terminal terminal() {
        return terminal;
    }

    /** Types {@code text} (a command line: end it with a newline). */
    void type(String text) throws IOException {
        keys.type(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The screen text so far, without escape sequences. */
    String text() {
        return ESCAPES.matcher(screen.asString()).replaceAll("");
    }

    /** Everything the console wrote, escape sequences included. */
    String raw() {
        return screen.asString();
    }

    /** How much screen text there is now: a mark to wait for text written after it. */
    int mark() {
        return text().length();
    }

    /** Waits until {@code expected} appears after {@code mark}; fails with the screen text if it does not in time. */
    String waitFor(int mark, String expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = text();
            int at = text.indexOf(expected, Math.min(mark, text.length()));
            if (at >= 0) {
                return text.substring(Math.min(mark, text.length()));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the console did not show '" + expected + "' within " + timeout + "; the screen after the mark:\n"
                + text().substring(Math.min(mark, text().length())) + "\nthe console's thread:\n" + consoleThread());
    }

    String waitFor(int mark, String expected) throws InterruptedException {
        return waitFor(mark, expected, Duration.ofSeconds(10));
    }

    private static String consoleThread() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (thread.getName().equals("console-under-test")) {
                for (StackTraceElement e : stack) {
                    sb.append("    at ").append(e).append('\n');
                }
            }
        });
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        keys.close();
        terminal.close();
    }

    /**
     * Typed keys as an input stream. Not a PipedInputStream: that one refuses writes once a thread that read from it
     * has ended, and JLine's input thread ends and is replaced when the terminal is paused (around $EDITOR).
     */
    private static final class Keys extends java.io.InputStream {
        private final java.util.concurrent.LinkedBlockingQueue<Integer> queue = new java.util.concurrent.LinkedBlockingQueue<>();

        void type(byte[] bytes) {
            for (byte b : bytes) {
                queue.add(b & 0xff);
            }
        }

        @Override
        public int read() throws IOException {
            try {
                int b = queue.take();
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted");
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            b[off] = (byte) read();
            int n = 1;
            Integer next;
            while (n < len && (next = queue.poll()) != null) {
                b[off + n++] = (byte) (int) next;
            }
            return n;
        }

        @Override
        public int available() {
            return queue.size();
        }

        @Override
        public void close() {
            queue.add(-1);
        }
    }

    private static final class Collector extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized String asString() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
