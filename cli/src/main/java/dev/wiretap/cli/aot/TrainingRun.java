package dev.wiretap.cli.aot;

import dev.wiretap.proxy.tls.CertificateAuthority;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A training run for the JDK's ahead-of-time cache (JDK 25+: JEP 483, 514, 515): starts wiretap with the command it is
 * given (the {@code java} that records the cache, its options and the jar), in a temporary config directory with a CA
 * and a config file of rules made for the run (never the user's), sends it a few seconds of the traffic its users send
 * ({@link TrainingTraffic}) to a local origin of its own ({@link TrainingOrigin}), and stops it with SIGTERM, as a user
 * does, which is when the JVM writes the cache. {@code ./wiretap} runs this in a JVM of its own, so that what the cache
 * records is wiretap's own start and traffic, and nothing of the run's client or origin.
 *
 * <pre>java -cp wiretap.jar dev.wiretap.cli.aot.TrainingRun [--load SECONDS] -- JAVA [OPTIONS] -jar wiretap.jar</pre>
 *
 * Exits 0 when every request was answered as expected and wiretap ended with 0; else 1, having said why on standard
 * error (which {@code ./wiretap} keeps in a log beside the cache). Runs on the main thread; the child's output is read
 * on two threads of its own.
 */
public final class TrainingRun {

    private static final Pattern LISTENING = Pattern.compile("listening on http://(127\\.0\\.0\\.1):(\\d+)");
    /** The log's line for an exchange begins with its time; the run's log keeps everything else wiretap prints. */
    private static final Pattern FLOW_LINE = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");
    private static final Pattern WEB_UI = Pattern.compile("web UI: (http://\\S+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** Writing the cache takes a second JVM some seconds, more on a busy machine. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(600);
    private static final String RULES = """
            rules:
              - name: training-fields
                match: path:/ruled
                set_headers: {X-Training: "1"}
                response:
                  set_headers: {Cache-Control: no-store}
              - name: training-answer
                match: method:GET path:/answered
                respond:
                  status: 200
                  headers: {Content-Type: application/json}
                  body: '{"ok": true}'
              - name: training-block
                match: path:/blocked
                block: 403
            """;

    private TrainingRun() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the training; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Duration load = Duration.ofSeconds(2);
        int i = 0;
        try {
            for (; i < args.length && !args[i].equals("--"); i++) {
                if (args[i].equals("--load") && i + 1 < args.length) {
                    load = Duration.ofMillis(Math.round(Double.parseDouble(args[++i]) * 1000));
                } else {
                    throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("training: " + e.getMessage());
            return 2;
        }
        if (i + 1 >= args.length) {
            err.println("training: usage: TrainingRun [--load SECONDS] -- JAVA [OPTIONS] -jar wiretap.jar");
            return 2;
        }
        List<String> command = List.of(args).subList(i + 1, args.length);
        long started = System.nanoTime();
        try {
            long requests = train(command, load, err);
            out.printf("training: %d requests answered as expected; wiretap stopped normally; %.1f s%n", requests,
                    (System.nanoTime() - started) / 1e9);
            return 0;
        } catch (TrainingFailure e) {
            err.println("training: " + e.getMessage());
            return 1;
        } catch (IOException | UncheckedIOException e) {
            err.println("training: " + e);
            return 1;
        } catch (InterruptedException e) {
            err.println("training: interrupted");
            return 1;
        }
    }

    private static long train(List<String> command, Duration load, PrintStream log)
            throws IOException, TrainingFailure, InterruptedException {
        Path dir = Files.createTempDirectory("wiretap-training-"); // the owner's alone (0700)
        Process wiretap = null;
        try {
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir); // wiretap then loads it, as on most starts
            TrainingOrigin origin = TrainingOrigin.start(ca);
            try {
                wiretap = startWiretap(command, dir);
                BlockingQueue<String> lines = new LinkedBlockingQueue<>();
                Thread stdout = pump(wiretap.getInputStream(), line -> {
                    lines.add(line);
                    if (!FLOW_LINE.matcher(line).lookingAt()) {
                        log.println(line); // the banner, the summary, and what the JVM says about the cache
                    }
                }, "training-stdout");
                Thread stderr = pump(wiretap.getErrorStream(), log::println, "training-stderr");
                Banner banner = Banner.await(lines, wiretap);
                TrainingTraffic traffic = new TrainingTraffic(banner.proxy(), banner.web(), origin, trusting(ca));
                traffic.run(load);
                stop(wiretap);
                stdout.join(STOP_TIMEOUT.toMillis()); // what the JVM said about the cache, to the log
                stderr.join(STOP_TIMEOUT.toMillis());
                return traffic.requests();
            } finally {
                origin.close();
            }
        } finally {
            if (wiretap != null && wiretap.isAlive()) {
                wiretap.descendants().forEach(ProcessHandle::destroyForcibly);
                wiretap.destroyForcibly();
                wiretap.waitFor(10, TimeUnit.SECONDS);
            }
            deleteTree(dir);
        }
    }

    /** wiretap as {@code command} starts it, with the run's directory, rules and free ports. */
    private static Process startWiretap(List<String> command, Path dir) throws IOException {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, RULES, StandardCharsets.UTF_8);
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--headless", "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0",
                "--config-dir", dir.toString(), "--config", config.toString(),
                "--upstream-ca", dir.resolve(CertificateAuthority.CERT_FILE).toString()));
        ProcessBuilder pb = new ProcessBuilder(full);
        pb.environment().put("NO_COLOR", "1");
        pb.environment().keySet().removeIf(name -> name.equalsIgnoreCase("http_proxy")
                || name.equalsIgnoreCase("https_proxy") || name.equalsIgnoreCase("no_proxy"));
        Process wiretap = pb.start();
        wiretap.getOutputStream().close();
        return wiretap;
    }

    /**
     * SIGTERM: wiretap stops as on Ctrl-C, and the JVM writes the cache on its way out. Sent through the process's
     * handle, since {@link Process#destroy} also closes the pipes, and the JVM that then assembles the cache would die
     * of SIGPIPE writing its first line to them.
     */
    private static void stop(Process wiretap) throws TrainingFailure, InterruptedException {
        wiretap.toHandle().destroy();
        if (!wiretap.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new TrainingFailure("wiretap did not stop within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM");
        }
        if (wiretap.exitValue() != 0) {
            throw new TrainingFailure("wiretap exited with " + wiretap.exitValue() + " after SIGTERM");
        }
    }

    /** Where the trained wiretap listens and serves its UI, from its banner. */
    private record Banner(InetSocketAddress proxy, URI web) {

        static Banner await(BlockingQueue<String> lines, Process wiretap) throws TrainingFailure, InterruptedException {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            InetSocketAddress proxy = null;
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    if (!wiretap.isAlive()) {
                        throw new TrainingFailure("wiretap ended (exit " + wiretap.exitValue() + ") before it listened");
                    }
                    continue;
                }
                Matcher listening = LISTENING.matcher(line);
                Matcher web = WEB_UI.matcher(line);
                if (listening.find()) {
                    proxy = new InetSocketAddress(listening.group(1), Integer.parseInt(listening.group(2)));
                } else if (web.find() && proxy != null) {
                    return new Banner(proxy, URI.create(web.group(1)));
                }
            }
            throw new TrainingFailure("wiretap printed no banner within " + START_TIMEOUT.toSeconds() + " s");
        }
    }

    /** A TLS context trusting {@code ca} alone: the training's HTTPS client sees wiretap's certificates, made by it. */
    private static SSLContext trusting(CertificateAuthority ca) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("training-ca", ca.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a TLS context trusting the training's CA: " + e.getMessage(), e);
        }
    }

    /** Reads a child's stream line by line on a daemon thread until it ends, so that the child never blocks on it. */
    private static Thread pump(InputStream stream, Consumer<String> sink, String name) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // The child is gone and took the pipe with it: nothing more to read.
            }
        });
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
