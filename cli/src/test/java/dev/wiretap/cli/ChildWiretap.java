package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.ChildClassPath;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wiretap as users run it, for end-to-end tests: the command's main class in a child JVM on the test's class path,
 * with its config directory ({@code WIRETAP_HOME}) in a directory the test owns (never the user's ~/.wiretap) and
 * without colours. Its output lines are collected as they come; closing kills whatever is left.
 */
final class ChildWiretap implements AutoCloseable {

    private static final Pattern BANNER = Pattern.compile("wiretap (\\S+) listening on http://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path home;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final StringBuffer transcript = new StringBuffer();
    private final Thread stdoutDone;
    private final Thread stderrDone;

    private ChildWiretap(Path home, List<String> args) throws IOException {
        this(home, Map.of(), DEFAULT_HEAP, args);
    }

    /** The child's heap unless a test asks for another. */
    private static final String DEFAULT_HEAP = "128m";

    /**
     * {@code env}: variables to set (an empty value removes the variable from what the child inherits); {@code maxHeap}:
     * the child's {@code -Xmx}.
     */
    private ChildWiretap(Path home, Map<String, String> env, String maxHeap, List<String> args) throws IOException {
        this.home = home;
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:TieredStopAtLevel=1",
                "-cp", ChildClassPath.of(ChildWiretap.class), "dev.wiretap.cli.Main"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("WIRETAP_HOME", home.toString());
        env.forEach((name, value) -> {
            if (value.isEmpty()) {
                pb.environment().remove(name);
            } else {
                pb.environment().put(name, value);
            }
        });
        process = pb.start();
        process.getOutputStream().close();
        stdoutDone = pump(process.getInputStream(), line -> {
            transcript.append(line).append('\n');
            stdout.add(line);
        }, "wiretap-stdout");
        stderrDone = pump(process.getErrorStream(), line -> stderr.append(line).append('\n'), "wiretap-stderr");
    }

    /** Starts {@code wiretap ARGS} with {@code home} as its config directory; does not wait for anything. */
    static ChildWiretap start(Path home, String... args) throws IOException {
        return new ChildWiretap(home, List.of(args));
    }

    /**
     * Starts wiretap on an ephemeral loopback port with HTTPS interception on, waits for its banner (the web UI's lines
     * in it included) and returns it; the port is {@link Started#port()}.
     */
    static Started startListening(Path home, String... more) throws IOException, InterruptedException {
        return startListening(home, Map.of(), more);
    }

    /**
     * As {@link #startListening(Path, String...)}, with environment variables set (or, given as empty, removed). The
     * line on the upstream proxy, if the banner has one, is {@link Started#upstreamLine()}.
     */
    static Started startListening(Path home, Map<String, String> env, String... more) throws IOException, InterruptedException {
        return startListening(home, env, DEFAULT_HEAP, more);
    }

    /** As {@link #startListening(Path, String...)}, in a JVM whose heap is at most {@code maxHeap} ({@code 64m}). */
    static Started startListeningInHeap(Path home, String maxHeap, String... more) throws IOException, InterruptedException {
        return startListening(home, Map.of(), maxHeap, more);
    }

    private static Started startListening(Path home, Map<String, String> env, String maxHeap, String... more)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        args.addAll(List.of(more));
        ChildWiretap wiretap = new ChildWiretap(home, env, maxHeap, args);
        try {
            String banner = wiretap.stdout.poll(60, TimeUnit.SECONDS);
            assertTrue(banner != null, "no banner from wiretap within 60 s; stderr: " + wiretap.stderr);
            Matcher m = BANNER.matcher(banner);
            assertTrue(m.matches(), banner);
            String interception = wiretap.stdout.poll(60, TimeUnit.SECONDS);
            String webUi = "";
            while (interception != null && interception.startsWith("web UI: ")) { // the UI's address, and where it went
                webUi = interception.startsWith("web UI: http://") ? interception.substring(8) : webUi;
                interception = wiretap.stdout.poll(60, TimeUnit.SECONDS);
            }
            String upstream = null;
            if (interception != null && (interception.startsWith("forwarding through") || interception.startsWith("upstream proxies"))) {
                upstream = interception;
                interception = wiretap.stdout.poll(60, TimeUnit.SECONDS);
            }
            assertTrue(interception != null && interception.startsWith("HTTPS interception on; CA certificate "
                    + home.resolve("wiretap-ca.pem")), String.valueOf(interception));
            return new Started(wiretap, Integer.parseInt(m.group(2)), upstream, webUi);
        } catch (AssertionError | InterruptedException e) {
            wiretap.close();
            throw e;
        }
    }

    /**
     * A wiretap that printed its banner, the port it named, its line on the upstream proxy (or null), and its web UI's
     * address (empty with --no-web).
     */
    record Started(ChildWiretap wiretap, int port, String upstreamLine, String webUi) {
    }

    Process process() {
        return process;
    }

    /** Where its CA certificate is. */
    Path caCertificate() {
        return home.resolve("wiretap-ca.pem");
    }

    /** Everything it wrote to standard output so far, taken or not. */
    String stdoutTranscript() {
        return transcript.toString();
    }

    /** Everything it wrote to standard error so far. */
    String stderr() {
        return stderr.toString();
    }

    /** Waits up to 30 s for {@code text} to appear on its standard error; returns all it wrote there so far. */
    String awaitStderr(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!stderr.toString().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' on wiretap's stderr within 30 s; it said: " + stderr);
            }
            Thread.sleep(20); // polling the pipe's collected text: a wait, not an assertion about time
        }
        return stderr.toString();
    }

    /** The lines it printed that no one has taken yet. */
    List<String> remainingLines() {
        return List.copyOf(stdout);
    }

    String nextLine() throws InterruptedException {
        return awaitLine(line -> true);
    }

    /** The next line of wiretap's output that matches, waiting up to 30 s; lines before it are skipped. */
    String awaitLine(Predicate<String> wanted) throws InterruptedException {
        List<String> skipped = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String line = stdout.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no such line from wiretap within 30 s; saw " + skipped + "; stderr: " + stderr);
            }
            if (wanted.test(line)) {
                return line;
            }
            skipped.add(line);
        }
    }

    /**
     * Sends SIGTERM and waits for wiretap to end; checks that it said so last and exited 0, and returns that line.
     * Not {@link Process#destroy()}: it also closes our ends of the child's pipes at once, and whatever wiretap
     * prints while it stops would be lost.
     */
    String stopWithSigterm() throws InterruptedException {
        assertTrue(process.toHandle().destroy());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "wiretap did not stop within 30 s");
        awaitEndOfOutput();
        String last = awaitLine(line -> line.startsWith("wiretap stopped"));
        assertEquals(0, process.exitValue(), "exit code after SIGTERM; stderr: " + stderr);
        assertEquals(List.of(), List.copyOf(stdout), "nothing after the stop line");
        assertEquals("", stderr.toString());
        return last;
    }

    /** Waits until both output pipes of the ended process have been read to their end. */
    void awaitEndOfOutput() throws InterruptedException {
        assertTrue(stdoutDone.join(Duration.ofSeconds(30)) && stderrDone.join(Duration.ofSeconds(30)),
                "wiretap's output did not end");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static Thread pump(InputStream in, Consumer<String> sink, String name) {
        return Thread.ofVirtual().name(name).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // The process ended and took its pipe with it: the lines read so far are all there is.
            }
        });
    }
}
