package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser through wiretap: headless Chromium, trusting wiretap's CA through a fresh NSS database in a
 * temporary home (as {@code wiretap ca} tells users to do), loads a page from a local HTTPS origin through the
 * proxy; wiretap decrypts it, which its log shows as an https flow. Skipped where Chromium or certutil is missing
 * (.ci/run installs both).
 */
class ChromiumHttpsTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CERTUTIL = Path.of("/usr/bin/certutil");
    private static final String PAGE_TEXT = "Decrypted by wiretap, rendered by Chromium";

    @TempDir
    Path dir;

    private ChildWiretap wiretap;

    @AfterEach
    void stopWiretap() {
        if (wiretap != null) {
            wiretap.close();
        }
    }

    @Test
    void loadsAnHttpsPageThroughWiretapWithItsCaTrustedInNss() throws Exception {
        try (SelfSignedOrigin origin = startOrigin()) {
            String url = "https://localhost:" + origin.port() + "/";

            Processes.Result chromium = browse(origin, url, true);

            assertTrue(chromium.succeeded() && chromium.stdout().contains(PAGE_TEXT),
                    "Chromium did not show the page through wiretap:\n" + chromium.describe()
                            + "\n--- wiretap's stderr:\n" + wiretap.stderr());
            String line = wiretap.awaitLine(l -> l.contains(" GET " + url + " "));
            assertTrue(line.contains(" GET " + url + " 200 "), line);
        }
    }

    /** The other side of the same coin, so that the test above cannot pass for a reason of its own. */
    @Test
    void showsAPrivacyErrorWithoutTheCaAndWiretapLogsTheRejection() throws Exception {
        try (SelfSignedOrigin origin = startOrigin()) {
            String url = "https://localhost:" + origin.port() + "/";

            Processes.Result chromium = browse(origin, url, false);

            assertFalse(chromium.stdout().contains(PAGE_TEXT), "Chromium showed the page without trusting wiretap's CA:\n"
                    + chromium.describe());
            String line = wiretap.awaitLine(l -> l.contains(" CONNECT localhost:" + origin.port() + " "));
            assertTrue(line.contains("the client rejected wiretap's certificate for localhost"), line);
        }
    }

    private SelfSignedOrigin startOrigin() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is not installed (Debian: apt-get install chromium)");
        assumeTrue(Files.isExecutable(CERTUTIL), CERTUTIL + " is not installed (Debian: apt-get install libnss3-tools)");
        String html = "<!doctype html><html><head><title>origin</title></head><body><p id=\"text\">" + PAGE_TEXT
                + "</p></body></html>";
        return SelfSignedOrigin.start(dir, "dns:localhost,ip:127.0.0.1", "text/html; charset=utf-8", html);
    }

    /**
     * Starts wiretap trusting the origin, makes a home whose NSS database trusts wiretap's CA (or is empty), and has
     * Chromium, with that home, load {@code url} through wiretap.
     */
    private Processes.Result browse(SelfSignedOrigin origin, String url, boolean trustCa) throws Exception {
        ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("wiretap-home"),
                "--upstream-ca", origin.certificatePem().toString());
        wiretap = started.wiretap();
        Path browserHome = Files.createDirectories(dir.resolve("browser-home"));
        makeNssDatabase(browserHome, trustCa ? wiretap.caCertificate() : null);
        return Processes.run(Map.of("HOME", browserHome.toString()), Duration.ofSeconds(120),
                chromiumCommand(started.port(), url));
    }

    /**
     * Makes the NSS database Chromium reads on Linux ($HOME/.pki/nssdb), as {@code wiretap ca} tells users to, and
     * adds {@code caCertificate} trusted for TLS servers, unless it is null.
     */
    private static void makeNssDatabase(Path home, Path caCertificate) throws Exception {
        Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
        String db = "sql:" + nssdb;
        Processes.runOrFail(CERTUTIL.toString(), "-d", db, "-N", "--empty-password");
        if (caCertificate == null) {
            return;
        }
        Processes.runOrFail(CERTUTIL.toString(), "-d", db, "-A", "-t", "C,,", "-n", "wiretap", "-i", caCertificate.toString());
        String listed = Processes.runOrFail(CERTUTIL.toString(), "-d", db, "-L");
        assertTrue(listed.contains("wiretap"), "certutil did not list the CA it added: " + listed);
    }

    /**
     * Headless Chromium printing the page's DOM once it has loaded. Loopback traffic goes through the proxy only with
     * {@code <-loopback>}; QUIC is off, since a proxy only carries TCP; background services are off, so that wiretap
     * sees the page and little else.
     */
    private String[] chromiumCommand(int proxyPort, String url) {
        List<String> command = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--password-store=basic",
                "--user-data-dir=" + dir.resolve("chromium-profile"),
                "--proxy-server=127.0.0.1:" + proxyPort, "--proxy-bypass-list=<-loopback>",
                "--dump-dom", url);
        return command.toArray(String[]::new);
    }
}
