package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import dev.wiretap.config.Settings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on intercepted HTTPS: a client tunnels through wiretap to an HTTPS test origin, wiretap opens the TLS, and the
 * rules apply to each request inside the tunnel as they do to plain HTTP. The CONNECT itself is left alone.
 */
class RulesInterceptionTest {

    @TempDir
    static Path caDir;
    static TestCa testCa;
    static Path testCaFile;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeTestCa() throws Exception {
        testCa = TestCa.ec("rules interception test CA");
        testCaFile = testCa.writeCertificate(caDir.resolve("test-ca.pem"));
    }

    private UnaryOperator<Settings> intercepting(String yaml) {
        UnaryOperator<Settings> rules = TestRules.with(dir, yaml);
        UnaryOperator<Settings> interception = Interception.on(testCaFile);
        return s -> interception.apply(rules.apply(s));
    }

    private static TestOrigin tlsOrigin(TestOrigin.Handler handler) throws Exception {
        return TestOrigin.startTls(testCa.issue("127.0.0.1").serverContext(), handler);
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", "a=1").timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void headerRulesChangeRequestsAndResponsesInsideTheTunnel() throws Exception {
        try (TestOrigin origin = tlsOrigin(EchoHandler.named("tls"));
             ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - name: rewrite
                         match: host:127.0.0.1
                         set_headers: {Authorization: Bearer inside}
                         remove_headers: [Cookie]
                         response:
                           set_headers: {Cache-Control: no-store}
                           remove_headers: [Set-Cookie]
                     """));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> response = get(client, origin.httpsUrl("/api"));

            assertEquals(200, response.statusCode());
            assertEquals("no-store", response.headers().firstValue("Cache-Control").orElseThrow());
            assertTrue(response.headers().firstValue("Set-Cookie").isEmpty());
            String head = origin.takeHead();
            assertEquals("Bearer inside", Heads.value(head, "Authorization"));
            assertNull(Heads.value(head, "Cookie"));
            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            assertEquals(List.of(), tunnel.appliedRules(), "a header rule claims to have changed the CONNECT");
            Flow inside = proxy.nextFinishedFlow();
            assertEquals(origin.httpsUrl("/api"), inside.request().url());
            assertEquals(List.of("rewrite"), inside.appliedRules());
        }
    }

    @Test
    void mocksAnHttpsHostThatCannotBeReachedAndGivesTheOtherRequests502() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // nothing listens here once closed
        }
        try (ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - match: path:/mocked
                         respond: {status: 200, body: mocked while the server is down}
                     """));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            String base = "https://127.0.0.1:" + closedPort;
            HttpResponse<String> mocked = get(client, base + "/mocked");
            assertEquals(200, mocked.statusCode());
            assertEquals("mocked while the server is down", mocked.body());

            HttpResponse<String> other = get(client, base + "/real");
            assertEquals(502, other.statusCode());
            assertTrue(other.body().contains("127.0.0.1:" + closedPort), other.body());
        }
    }

    @Test
    void anUnreachableHttpsHostWithoutAnsweringRulesStillFailsTheConnect() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - match: host:127.0.0.1
                         set_headers: {X-Test: "1"}
                     """));
             RawClient raw = proxy.rawClient()) {
            raw.send("CONNECT 127.0.0.1:" + closedPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + closedPort + "\r\n\r\n");
            assertEquals("HTTP/1.1 502 Bad Gateway", Heads.startLine(raw.readHead()));
        }
    }

    @Test
    void answersRequestsInsideTheTunnelWithoutAnsweringTheConnect() throws Exception {
        Files.writeString(dir.resolve("local.txt"), "from a local file");
        try (TestOrigin origin = tlsOrigin(EchoHandler.named("tls"));
             ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - match: host:127.0.0.1 path:/file
                         map_local: local.txt
                       - match: host:127.0.0.1
                         respond: {status: 200, body: mocked}
                     """));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> file = get(client, origin.httpsUrl("/file"));
            HttpResponse<String> mocked = get(client, origin.httpsUrl("/anything"));

            assertEquals("from a local file", file.body());
            assertEquals("mocked", mocked.body());
            assertNull(origin.pollHead(200), "a request reached the origin");
            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals(200, tunnel.response().orElseThrow().status());
            assertTrue(tunnel.isIntercepted());
        }
    }

    @Test
    void mapsAnInterceptedRequestToAPlainHttpOrigin() throws Exception {
        try (TestOrigin secure = tlsOrigin(EchoHandler.named("tls"));
             TestOrigin plain = TestOrigin.start(EchoHandler.named("plain"));
             ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - match: host:127.0.0.1 path:/api
                         map_remote: {to: "%s", strip: /api}
                     """.formatted(plain.url("/v1"))));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> response = get(client, secure.httpsUrl("/api/items"));

            assertEquals("plain", response.headers().firstValue("X-Origin").orElseThrow());
            assertEquals("GET /v1/items HTTP/1.1\n", response.body());
            assertEquals(plain.authority(), Heads.value(plain.takeHead(), "Host"));
            assertNull(secure.pollHead(200));
        }
    }

    @Test
    void throttlesAResponseInsideTheTunnel() throws Exception {
        byte[] body = new byte[64 * 1024];
        new Random(9).nextBytes(body);
        try (TestOrigin origin = tlsOrigin(conn -> {
                 String head;
                 while ((head = conn.readHead()) != null) {
                     conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                     conn.out().write(body);
                     conn.out().flush();
                 }
             });
             ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - match: host:127.0.0.1
                         throttle: {down: 32k}
                     """));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/big")))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            long took = System.nanoTime() - start;

            assertArrayEquals(body, response.body());
            assertTrue(took >= 1_500_000_000L, "64 KiB at 32 KiB/s took " + took / 1_000_000 + " ms");
        }
    }

    @Test
    void blockDropCutsTheTunnelOfTheBlockedRequest() throws Exception {
        try (TestOrigin origin = tlsOrigin(EchoHandler.named("tls"));
             ProxyUnderTest proxy = ProxyUnderTest.start(intercepting("""
                     rules:
                       - name: cut
                         match: path:/cut
                         block: drop
                     """));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            client.send("GET /fine HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("GET /fine HTTP/1.1\n", client.readResponse().bodyText());

            client.send("GET /cut HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertTrue(client.isClosedByPeer(), "the tunnel was not cut");
            assertEquals("CONNECT", proxy.nextFinishedFlow().request().method());
            Flow fine = proxy.nextFinishedFlow();
            assertEquals(origin.httpsUrl("/fine"), fine.request().url());
            Flow cut = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.BLOCKED, cut.error().orElseThrow().kind());
            assertEquals(origin.httpsUrl("/cut"), cut.request().url());
            assertEquals(List.of("cut"), cut.appliedRules());
        }
    }
}
