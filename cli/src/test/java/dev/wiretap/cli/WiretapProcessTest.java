package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.testing.TestOrigin;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap as users run it: a child JVM started with the command's main class, driven by curl over plain HTTP and
 * through a CONNECT tunnel to a real TLS origin, then stopped with SIGTERM.
 */
class WiretapProcessTest {

    @TempDir
    Path dir;

    private ChildWiretap wiretap;

    @AfterEach
    void killWhatIsLeft() {
        if (wiretap != null) {
            wiretap.close();
        }
    }

    @Test
    void logsPlainAndTunnelledExchangesAndStopsCleanlyOnSigterm() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        assumeTrue(Files.isExecutable(curl), "curl is not installed");
        try (SelfSignedOrigin tlsOrigin = SelfSignedOrigin.start(dir, "ip:127.0.0.1", "text/plain", "secure hello");
             TestOrigin plainOrigin = TestOrigin.fixed("plain hello")) {
            // wiretap trusts the origin's certificate; curl trusts wiretap's CA and sees the exchange decrypted.
            int proxyPort = startWiretap("--upstream-ca", tlsOrigin.certificatePem().toString());
            String proxy = "http://127.0.0.1:" + proxyPort;
            String plainUrl = plainOrigin.url("/plain");
            String tlsUrl = "https://127.0.0.1:" + tlsOrigin.port() + "/secure";

            assertEquals("plain hello", curl(curl.toString(), "-sS", "--max-time", "30", "--noproxy", "", "-x", proxy, plainUrl));
            assertEquals("secure hello", curl(curl.toString(), "-sS", "--max-time", "30", "--noproxy", "", "-x", proxy,
                    "--cacert", wiretap.caCertificate().toString(), tlsUrl));

            // One line per exchange, in order; the intercepted tunnel's request as https, its CONNECT not at all.
            List<String> lines = List.of(wiretap.nextLine(), wiretap.nextLine());
            assertTrue(lines.get(0).contains(" GET " + plainUrl + " 200 11b "), lines.get(0));
            assertTrue(lines.get(1).contains(" GET " + tlsUrl + " 200 12b "), lines.get(1));
            for (String line : lines) {
                assertFalse(line.contains("\u001b"), "no colours when the output is not a terminal: " + line);
            }

            String last = wiretap.stopWithSigterm();
            assertTrue(last.contains("3 flows"), last);
        }
    }

    @Test
    void stopsGracefullyOnSigtermRightAfterTheBanner() throws Exception {
        startWiretap();

        String last = wiretap.stopWithSigterm();

        assertTrue(last.contains("0 flows"), last);
    }

    @Test
    void warnsAtStartWhenTheConfigDirectoryIsOpenToOthers() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Files.createDirectories(home());
        Files.setPosixFilePermissions(home(), PosixFilePermissions.fromString("rwxrwxr-x"));

        startWiretap();

        String stderr = wiretap.awaitStderr("chmod 700");
        assertTrue(stderr.startsWith("wiretap: warning: the directory " + home() + ", which holds wiretap's CA, is open to"
                + " others than you (mode 0775)"), stderr);
    }

    @Test
    void warnsWhenItListensBeyondLoopbackWithNoAccessControlAndNotWhenItAsksForCredentials() throws Exception {
        wiretap = ChildWiretap.start(home(), "--listen", "0.0.0.0:0", "--no-web", "--headless");
        assertTrue(wiretap.awaitStderr("not loopback").contains("wiretap: warning: listening on 0.0.0.0:0, not loopback,"
                + " with no access control: anyone who can reach this address can use wiretap as a proxy and see what it"
                + " records. Ask for credentials (--proxy-auth USER:PASSWORD, clients.auth) or name the clients' addresses"
                + " (clients.allow)."), wiretap.stderr());
        wiretap.close();

        wiretap = ChildWiretap.start(home(), "--listen", "0.0.0.0:0", "--no-web", "--headless", "--proxy-auth",
                "alice:s3cret", "--set", "clients.allow=[10.0.0.0/8, 127.0.0.1]");
        String clients = wiretap.awaitLine(line -> line.startsWith("clients: "));
        assertEquals("clients: proxy authentication required (user alice); only from 10.0.0.0/8, 127.0.0.1", clients);
        String last = wiretap.stopWithSigterm(); // and nothing on stderr: no warning
        assertTrue(last.contains("0 flows"), last);
        assertFalse(wiretap.stdoutTranscript().contains("s3cret"), wiretap.stdoutTranscript());
    }

    @Test
    void exits1NamingTheAddressWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            wiretap = ChildWiretap.start(home(), "--listen", address);

            assertTrue(wiretap.process().waitFor(60, TimeUnit.SECONDS), "wiretap did not give up within 60 s");
            assertEquals(1, wiretap.process().exitValue());
            wiretap.awaitEndOfOutput();
            assertTrue(wiretap.stderr().startsWith("wiretap: cannot listen on " + address), wiretap.stderr());
            assertEquals(List.of(), wiretap.remainingLines());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Starts wiretap on an ephemeral port and returns the port its banner names. */
    private int startWiretap(String... more) throws Exception {
        ChildWiretap.Started started = ChildWiretap.startListening(home(), more);
        wiretap = started.wiretap();
        return started.port();
    }

    /** The config directory the child wiretap uses (never the user's ~/.wiretap). */
    private Path home() {
        return dir.resolve("home");
    }

    /** Runs curl (at most 60 s) and returns what it printed; fails, with wiretap's stderr, unless it exits 0. */
    private String curl(String... command) throws Exception {
        Processes.Result result = Processes.run(Map.of(), Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), result.describe() + "\nwiretap stderr: " + wiretap.stderr());
        return result.stdout();
    }
}
