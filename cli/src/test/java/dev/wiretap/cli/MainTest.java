package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.tls.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command's flags and exit codes, run in this JVM (only paths that return: wiretap never gets to serve). */
class MainTest {

    /** Where a started wiretap keeps its CA: never the user's ~/.wiretap. */
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path configDir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            --bogus                    | unknown flag '--bogus'
            --listen nope              | expected HOST:PORT, got 'nope' (no port)
            --listen 1.2.3.4:99999     | port 99999 in '1.2.3.4:99999' is above 65535
            --listen ::1:8080          | an IPv6 address needs brackets
            --listen                   | Missing required parameter for option '--listen'
            --upstream-proxy ftp://x   | upstream proxy must be an http:// or https:// URL, got 'ftp://x'
            --upstream-proxy http://u:p@proxy:99999 | upstream proxy URL 'http://u:***@proxy:99999' has port 99999
            stray                      | 'stray' is not a command or flag of wiretap; the commands are ca and config
            """)
    void rejectsBadFlagsWithExitCode2AndSaysWhy(String args, String expected) {
        Run run = run(args.split(" "));

        assertEquals(2, run.code);
        assertTrue(run.err.startsWith("wiretap: "), run.err);
        assertTrue(run.err.contains(expected), run.err);
        assertTrue(run.err.contains("wiretap --help"), run.err);
        assertEquals("", run.out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            --lissten :8080               | wiretap: unknown flag '--lissten' (did you mean --listen?)                     | wiretap --help
            --upstream-proxi http://p:1   | wiretap: unknown flag '--upstream-proxi' (did you mean --upstream-proxy or --upstream-ca?) | wiretap --help
            conifg                        | wiretap: 'conifg' is not a command or flag of wiretap (did you mean config?); the commands are ca and config | wiretap --help
            --listen :8080 foo bar        | wiretap: 'foo', 'bar' are not commands or flags of wiretap; the commands are ca and config | wiretap --help
            config --defualts             | wiretap: unknown flag '--defualts' for wiretap config (did you mean --defaults?) | wiretap config --help
            ca foo                        | wiretap: 'foo' is not a command or flag of wiretap ca; it takes no other arguments | wiretap ca --help
            """)
    void namesAWordItCannotPlaceAndSuggestsTheNearestFlagOrCommand(String args, String expected, String help) {
        Run run = run(args.split(" "));

        assertEquals(2, run.code);
        assertEquals(expected + System.lineSeparator() + "Try '" + help + "' for the flags." + System.lineSeparator(), run.err);
        assertEquals("", run.out);
    }

    @Test
    void refusesAnUpstreamCaFileWithoutACertificateAsABadFlag(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path notPem = java.nio.file.Files.writeString(dir.resolve("company-ca.txt"), "paste the CA here\n");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty.pem"), "");
        java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("key.pem"),
                "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
        java.nio.file.Path home = dir.resolve("home");

        for (java.nio.file.Path file : java.util.List.of(notPem, empty, key)) {
            Run run = run("--listen", "127.0.0.1:0", "--config-dir", home.toString(), "--upstream-ca", file.toString());

            assertEquals(2, run.code, run.err);
            assertTrue(run.err.startsWith("wiretap: --upstream-ca: tls.trusted_certs: " + file
                    + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)"), run.err);
            assertEquals("", run.out, "nothing started");
            assertTrue(java.nio.file.Files.notExists(home), "no CA made");
        }
        Run run = run("--listen", "127.0.0.1:0", "--config-dir", home.toString(), "--upstream-ca", key.toString());
        assertTrue(run.err.contains("it holds a private key"), run.err);
    }

    @Test
    void printsHelpAndExits0() {
        Run run = run("--help");

        assertEquals(0, run.code);
        assertTrue(run.out.startsWith("Usage: wiretap"), run.out);
        assertTrue(run.out.contains("--listen=HOST:PORT"), run.out);
        assertTrue(run.out.contains("--upstream-proxy=URL"), run.out);
        assertTrue(run.out.contains("127.0.0.1:8080"), "the default is shown: " + run.out);
        assertEquals("", run.err);
    }

    @Test
    void printsTheVersionAndExits0() {
        Run run = run("--version");

        assertEquals(0, run.code);
        assertTrue(run.out.startsWith("wiretap " + Wiretap.version() + System.lineSeparator()), run.out);
        assertTrue(run.out.contains("Java " + Runtime.version()), run.out);
        assertEquals("", run.err);
    }

    @Test
    void exits1NamingTheAddressWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();

            Run run = run("--listen", address, "--config-dir", configDir.toString());

            assertEquals(1, run.code);
            assertTrue(run.err.startsWith("wiretap: "), run.err);
            assertTrue(run.err.contains(address), run.err);
            assertEquals("", run.out, "no banner for a proxy that never started");
        }
    }

    @Test
    void exits1WithTheFixWhenTheCaKeyIsReadableByOthers(@TempDir Path dir) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path home = dir.resolve("home");
        CertificateAuthority.loadOrCreate(home);
        Path key = home.resolve(CertificateAuthority.KEY_FILE);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));

        Run run = run("--listen", "127.0.0.1:0", "--no-web", "--config-dir", home.toString());

        assertEquals(1, run.code);
        assertTrue(run.err.startsWith("wiretap: CA key " + key + " can be read or changed by others than you (mode 0644)"),
                run.err);
        assertTrue(run.err.contains("chmod 600 " + key), run.err);
        assertEquals("", run.out, "no banner for a proxy that never started");
    }

    @Test
    void exits2NamingTheWebUisAddressWhenTheOneAskedForIsTakenAndNothingListens() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String web = "127.0.0.1:" + taken.getLocalPort();
            int proxyPort = probe.getLocalPort();
            probe.close();

            Run run = run("--listen", "127.0.0.1:" + proxyPort, "--web", web, "--config-dir", configDir.toString());

            assertEquals(2, run.code);
            assertTrue(run.err.startsWith("wiretap: cannot listen on " + web + " for the web UI: "), run.err);
            assertEquals("", run.out);
            try (java.net.Socket s = new java.net.Socket()) {
                assertThrows(java.io.IOException.class, () -> s.connect(new java.net.InetSocketAddress("127.0.0.1", proxyPort), 1000),
                        "the proxy never listened");
            }
        }
    }

    @Test
    void refusesWebAndNoWebTogether() {
        Run run = run("--web", "127.0.0.1:0", "--no-web", "--config-dir", configDir.toString());
        assertEquals(2, run.code);
        assertEquals("wiretap: --web and --no-web contradict each other; give one" + System.lineSeparator(), run.err);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
