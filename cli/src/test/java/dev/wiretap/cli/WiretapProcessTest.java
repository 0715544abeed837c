package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap as users run it: a child JVM started with the command's main class, driven by curl over plain HTTP and
 * through a CONNECT tunnel to a real TLS origin, then stopped with SIGTERM.
 */
class WiretapProcessTest {

    private static final Pattern BANNER = Pattern.compile("wiretap (\\S+) listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String STORE_PASSWORD = "changeit";

    @TempDir
    Path dir;

    private Process wiretap;
    private Thread stdoutDone;
    private Thread stderrDone;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();

    @AfterEach
    void killWhatIsLeft() {
        if (wiretap != null && wiretap.isAlive()) {
            wiretap.destroyForcibly();
        }
    }

    @Test
    void logsPlainAndTunnelledExchangesAndStopsCleanlyOnSigterm() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        assumeTrue(Files.isExecutable(curl), "curl is not installed");
        Path keystore = dir.resolve("origin.p12");
        Path certificate = dir.resolve("origin.pem");
        makeSelfSignedCertificate(keystore, certificate);
        HttpsServer tlsOrigin = startTlsOrigin(keystore, "secure hello");
        try (TestOrigin plainOrigin = TestOrigin.fixed("plain hello")) {
            // wiretap trusts the origin's certificate; curl trusts wiretap's CA and sees the exchange decrypted.
            int proxyPort = startWiretap("--upstream-ca", certificate.toString());
            String proxy = "http://127.0.0.1:" + proxyPort;
            String plainUrl = plainOrigin.url("/plain");
            String tlsUrl = "https://127.0.0.1:" + tlsOrigin.getAddress().getPort() + "/secure";
            Path wiretapCa = home().resolve("wiretap-ca.pem");

            assertEquals("plain hello", run(curl.toString(), "-sS", "--max-time", "30", "--noproxy", "", "-x", proxy, plainUrl));
            assertEquals("secure hello", run(curl.toString(), "-sS", "--max-time", "30", "--noproxy", "", "-x", proxy,
                    "--cacert", wiretapCa.toString(), tlsUrl));

            // One line per exchange, in order; the intercepted tunnel's request as https, its CONNECT not at all.
            List<String> lines = List.of(nextLine(), nextLine());
            assertTrue(lines.get(0).contains(" GET " + plainUrl + " 200 11b "), lines.get(0));
            assertTrue(lines.get(1).contains(" GET " + tlsUrl + " 200 12b "), lines.get(1));
            for (String line : lines) {
                assertFalse(line.contains("\u001b"), "no colours when the output is not a terminal: " + line);
            }

            String last = stopWithSigterm();
            assertTrue(last.contains("3 flows"), last);
        } finally {
            tlsOrigin.stop(0);
        }
    }

    @Test
    void stopsGracefullyOnSigtermRightAfterTheBanner() throws Exception {
        startWiretap();

        String last = stopWithSigterm();

        assertTrue(last.contains("0 flows"), last);
    }

    @Test
    void exits1NamingTheAddressWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            start("--listen", address);

            assertTrue(wiretap.waitFor(60, TimeUnit.SECONDS), "wiretap did not give up within 60 s");
            assertEquals(1, wiretap.exitValue());
            awaitEndOfOutput();
            assertTrue(stderr.toString().startsWith("wiretap: cannot listen on " + address), stderr.toString());
            assertEquals(List.of(), List.copyOf(stdout));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Starts wiretap on an ephemeral port and returns the port its banner names. */
    private int startWiretap(String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--listen", "127.0.0.1:0"));
        args.addAll(List.of(more));
        start(args.toArray(String[]::new));
        String banner = stdout.poll(60, TimeUnit.SECONDS);
        assertTrue(banner != null, "no banner from wiretap within 60 s; stderr: " + stderr);
        Matcher m = BANNER.matcher(banner);
        assertTrue(m.matches(), banner);
        String interception = stdout.poll(60, TimeUnit.SECONDS);
        assertTrue(interception != null && interception.startsWith("HTTPS interception on; CA certificate "
                + home().resolve("wiretap-ca.pem")), String.valueOf(interception));
        return Integer.parseInt(m.group(2));
    }

    /** The config directory the child wiretap uses (never the user's ~/.wiretap). */
    private Path home() {
        return dir.resolve("home");
    }

    /** Starts the wiretap command in a child JVM on this test's class path, its output pumped into {@link #stdout} and {@link #stderr}. */
    private void start(String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.wiretap.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("WIRETAP_HOME", home().toString());
        wiretap = pb.start();
        wiretap.getOutputStream().close();
        stdoutDone = pump(wiretap.getInputStream(), stdout::add, "wiretap-stdout");
        stderrDone = pump(wiretap.getErrorStream(), line -> stderr.append(line).append('\n'), "wiretap-stderr");
    }

    /**
     * Sends SIGTERM and waits for wiretap to end; checks that it said so last and exited 0, and returns that line.
     * Not {@link Process#destroy()}: it also closes our ends of the child's pipes at once, and whatever wiretap
     * prints while it stops would be lost.
     */
    private String stopWithSigterm() throws InterruptedException {
        assertTrue(wiretap.toHandle().destroy());
        assertTrue(wiretap.waitFor(30, TimeUnit.SECONDS), "wiretap did not stop within 30 s");
        awaitEndOfOutput();
        String last = awaitLine(line -> line.startsWith("wiretap stopped"));
        assertEquals(0, wiretap.exitValue(), "exit code after SIGTERM; stderr: " + stderr);
        assertEquals(List.of(), List.copyOf(stdout), "nothing after the stop line");
        assertEquals("", stderr.toString());
        return last;
    }

    /** Waits until both output pipes of the ended process have been read to their end. */
    private void awaitEndOfOutput() throws InterruptedException {
        assertTrue(stdoutDone.join(Duration.ofSeconds(30)) && stderrDone.join(Duration.ofSeconds(30)),
                "wiretap's output did not end");
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

    private String nextLine() throws InterruptedException {
        return awaitLine(line -> true);
    }

    /** The next line of wiretap's output that matches, waiting up to 30 s; lines before it are skipped. */
    private String awaitLine(Predicate<String> wanted) throws InterruptedException {
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

    /** Runs a command to its end (at most 60 s) and returns its standard output; fails on a non-zero exit. */
    private String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed: " + text + "\nwiretap stderr: " + stderr);
        return text;
    }

    /** A key pair and self-signed certificate for 127.0.0.1 by the JDK's keytool; the certificate also as PEM for curl. */
    private void makeSelfSignedCertificate(Path keystore, Path pem) throws IOException, InterruptedException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD, "-noprompt");
        run(keytool, "-exportcert", "-rfc", "-alias", "origin", "-keystore", keystore.toString(),
                "-storepass", STORE_PASSWORD, "-file", pem.toString());
    }

    private static HttpsServer startTlsOrigin(Path keystore, String body) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
