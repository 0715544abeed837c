package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.testing.AuthGate;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap as users run it behind a company proxy that wants credentials: a child JVM chained to an {@link AuthGate}
 * (Basic, 407 otherwise) in front of a second wiretap, driven by curl; the proxy given on the command line, and taken
 * from the environment ({@code --upstream-proxy env}). The password is never printed.
 */
class UpstreamProxyProcessTest {

    private static final String PASSWORD = "hunter2:@";
    private static final String PASSWORD_IN_URL = "hunter2%3A%40";
    private static final Path CURL = Path.of("/usr/bin/curl");

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
    void curlGoesThroughWiretapAndAProxyThatWantsCredentialsForHttpAndHttps() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        try (SelfSignedOrigin tlsOrigin = SelfSignedOrigin.start(dir, "ip:127.0.0.1", "text/plain", "secure hello");
             TestOrigin plainOrigin = TestOrigin.fixed("plain hello");
             ProxyUnderTest behind = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start("alice", PASSWORD, behind.address())) {
            String upstream = "http://alice:" + PASSWORD_IN_URL + "@127.0.0.1:" + gate.port();
            ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), noProxyVariables(),
                    "--upstream-proxy", upstream, "--upstream-ca", tlsOrigin.certificatePem().toString());
            wiretap = started.wiretap();
            String proxy = "http://127.0.0.1:" + started.port();

            assertEquals("forwarding through upstream proxy http://alice:***@127.0.0.1:" + gate.port(), started.upstreamLine());
            assertEquals("plain hello", curl("-x", proxy, plainOrigin.url("/plain")));
            assertEquals("secure hello", curl("-x", proxy, "--cacert", wiretap.caCertificate().toString(),
                    "https://127.0.0.1:" + tlsOrigin.port() + "/secure"));

            assertEquals(basic("alice", PASSWORD), Heads.value(gate.takeHead(), "Proxy-Authorization"));
            assertEquals(basic("alice", PASSWORD), Heads.value(gate.takeHead(), "Proxy-Authorization"));
            assertEquals(0, gate.refusals());
            wiretap.stopWithSigterm();
            assertNothingShowsThePassword();
        }
    }

    @Test
    void logsTheUpstreamProxysRefusalNamingIt() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        try (TestOrigin plainOrigin = TestOrigin.fixed("plain hello");
             ProxyUnderTest behind = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start("alice", PASSWORD, behind.address())) {
            ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), noProxyVariables(),
                    "--upstream-proxy", "http://alice:wrong-" + PASSWORD_IN_URL + "@127.0.0.1:" + gate.port());
            wiretap = started.wiretap();

            Processes.Result result = Processes.run(Map.of(), Duration.ofSeconds(60), CURL.toString(), "-sS", "--max-time", "30",
                    "-x", "http://127.0.0.1:" + started.port(), "-o", "/dev/null", "-w", "%{http_code}", plainOrigin.url("/p"));

            assertEquals("502", result.stdout(), result.describe());
            String line = wiretap.nextLine();
            assertTrue(line.contains(" GET " + plainOrigin.url("/p") + " 502 ")
                    && line.contains("upstream proxy 127.0.0.1:" + gate.port() + " refused a request to " + plainOrigin.authority()
                    + ": 407 Proxy Authentication Required; it did not accept the credentials of user 'alice'"), line);
            wiretap.stopWithSigterm();
            assertNothingShowsThePassword();
        }
    }

    @Test
    void takesTheProxiesFromTheEnvironmentWhenAskedAndLeavesLoopbackAlone() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        try (TestOrigin local = TestOrigin.fixed("local");
             ProxyUnderTest behind = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start("alice", PASSWORD, behind.address())) {
            Map<String, String> env = new java.util.HashMap<>(noProxyVariables());
            env.put("http_proxy", "http://alice:" + PASSWORD_IN_URL + "@127.0.0.1:" + gate.port());
            env.put("no_proxy", ".intranet.invalid");
            ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), env, "--upstream-proxy", "env");
            wiretap = started.wiretap();
            String proxy = "http://127.0.0.1:" + started.port();

            assertEquals("upstream proxies from the environment: http: http://alice:***@127.0.0.1:" + gate.port()
                    + ", https: direct; directly: loopback hosts, no_proxy .intranet.invalid", started.upstreamLine());
            // Through the gate to the wiretap behind it, which cannot resolve the name: its 502 says so.
            Processes.Result viaProxy = Processes.run(Map.of(), Duration.ofSeconds(60), CURL.toString(), "-sS", "--max-time", "30",
                    "-x", proxy, "http://origin.invalid/x");
            assertTrue(viaProxy.stdout().contains("cannot resolve host origin.invalid"), viaProxy.describe());
            assertEquals("GET http://origin.invalid/x HTTP/1.1", Heads.startLine(gate.takeHead()));
            assertEquals("local", curl("-x", proxy, local.url("/")), "loopback goes directly");
            assertEquals(1, behind.wiretap().stats().clientAccepted(), "only the first request reached the proxy");
            wiretap.stopWithSigterm();
            assertNothingShowsThePassword();
        }
    }

    /** Neither the child's output nor its errors hold the password, encoded or not. */
    private void assertNothingShowsThePassword() throws InterruptedException {
        wiretap.awaitEndOfOutput();
        String all = wiretap.stdoutTranscript() + wiretap.stderr();
        assertTrue(all.contains("wiretap stopped"), all);
        assertFalse(all.contains("hunter2"), all);
    }

    /** The proxy variables the test run may have, removed: the child sees only what a test sets. */
    private static Map<String, String> noProxyVariables() {
        return Map.of("http_proxy", "", "HTTP_PROXY", "", "https_proxy", "", "HTTPS_PROXY", "", "no_proxy", "", "NO_PROXY", "");
    }

    private String curl(String... args) throws Exception {
        String[] command = new String[args.length + 4];
        command[0] = CURL.toString();
        command[1] = "-sS";
        command[2] = "--max-time";
        command[3] = "30";
        System.arraycopy(args, 0, command, 4, args.length);
        Processes.Result result = Processes.run(Map.of(), Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), result.describe() + "\nwiretap stderr: " + wiretap.stderr());
        return result.stdout();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
