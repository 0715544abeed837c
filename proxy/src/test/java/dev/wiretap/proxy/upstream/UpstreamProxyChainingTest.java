package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * wiretap A forwarding through an upstream proxy B: either a second wiretap (to see the whole chain work) or a
 * scripted proxy that records what A sends it and answers as the test says.
 */
class UpstreamProxyChainingTest {

    @Test
    void sendsAPlainRequestToTheUpstreamProxyInAbsoluteFormAndItReachesTheOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("hello");
             ProxyUnderTest b = ProxyUnderTest.start();
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(b.port())));
             RawClient client = a.rawClient()) {
            String url = origin.url("/path?q=1");

            RawClient.Response response = client.send("GET " + url + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nX-Trace: 7\r\n\r\n").readResponse();

            assertEquals(200, response.status());
            assertEquals("hello", response.bodyText());
            Flow atB = b.nextFinishedFlow();
            assertEquals(url, atB.request().target(), "B received the absolute form");
            assertEquals("127.0.0.1:" + origin.port(), atB.serverAddress());
            Flow atA = a.nextFinishedFlow();
            assertEquals("127.0.0.1:" + b.port(), atA.serverAddress(), "A connected to B, not to the origin");
            assertEquals(url, atA.request().url());
            String head = origin.takeHead();
            assertEquals("GET /path?q=1 HTTP/1.1", Heads.startLine(head));
            assertEquals("7", Heads.value(head, "X-Trace"));
            assertEquals(List.of("1.1 wiretap", "1.1 wiretap"), Heads.values(head, "Via"), "one Via entry per hop");
        }
    }

    @Test
    void writesTheAbsoluteFormAndHostForTheUpstreamProxy() throws Exception {
        try (TestOrigin proxy = recordingProxy("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfrom proxy");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(proxy.port())));
             RawClient client = a.rawClient()) {

            // The origin's name is never looked up by A: B's business.
            RawClient.Response response = client.send("GET http://origin.invalid:8081/x HTTP/1.1\r\n"
                    + "Host: origin.invalid:8081\r\n\r\n").readResponse();

            assertEquals(200, response.status());
            assertEquals("from proxy", response.bodyText());
            String head = proxy.takeHead();
            assertEquals("GET http://origin.invalid:8081/x HTTP/1.1", Heads.startLine(head));
            assertEquals("origin.invalid:8081", Heads.value(head, "Host"));
        }
    }

    @Test
    void opensATunnelThroughTheUpstreamProxyWithConnect() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("inside");
             ProxyUnderTest b = ProxyUnderTest.start();
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(b.port())));
             RawClient client = a.rawClient()) {
            String target = origin.authority();

            String established = client.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").readHead();
            assertEquals("HTTP/1.1 200 Connection established", Heads.startLine(established));
            RawClient.Response response = client.send("GET /t HTTP/1.1\r\nHost: " + target + "\r\n\r\n").readResponse();

            assertEquals(200, response.status());
            assertEquals("inside", response.bodyText());
            assertEquals("GET /t HTTP/1.1", Heads.startLine(origin.takeHead()), "the bytes went through untouched");
            Flow atB = b.nextEvent(FlowEvent.Responded.class).flow();
            assertEquals("CONNECT", atB.request().method());
            assertEquals(target, atB.request().url());
            Flow atA = a.nextEvent(FlowEvent.Responded.class).flow();
            assertEquals("127.0.0.1:" + b.port(), atA.serverAddress());
        }
    }

    @Test
    void asksTheUpstreamProxyForTheTunnelWithoutResolvingTheName() throws Exception {
        try (TestOrigin proxy = recordingProxy("HTTP/1.1 200 Connection established\r\n\r\n");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(proxy.port())));
             RawClient client = a.rawClient()) {

            String established = client.send("CONNECT origin.invalid:443 HTTP/1.1\r\nHost: origin.invalid:443\r\n\r\n").readHead();

            assertEquals("HTTP/1.1 200 Connection established", Heads.startLine(established));
            String head = proxy.takeHead();
            assertEquals("CONNECT origin.invalid:443 HTTP/1.1", Heads.startLine(head));
            assertEquals("origin.invalid:443", Heads.value(head, "Host"));
        }
    }

    @Test
    void passesOnWhatTheOriginSaysFirstThroughTheUpstreamProxysTunnel() throws Exception {
        // A server-speaks-first protocol (SSH, SMTP): its greeting may come in the same read as the proxy's 200.
        try (TestOrigin proxy = recordingProxy("HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-OpenSSH_9.6\r\n");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(proxy.port())));
             RawClient client = a.rawClient()) {

            String established = client.send("CONNECT git.example:22 HTTP/1.1\r\nHost: git.example:22\r\n\r\n").readHead();

            assertEquals("HTTP/1.1 200 Connection established", Heads.startLine(established));
            byte[] greeting = client.in().readNBytes("SSH-2.0-OpenSSH_9.6\r\n".length());
            assertEquals("SSH-2.0-OpenSSH_9.6\r\n", new String(greeting, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void answers502NamingTheUpstreamProxyWhenItRefusesTheTunnel() throws Exception {
        try (TestOrigin proxy = recordingProxy("HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden");
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(proxy.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("CONNECT secret.example:443 HTTP/1.1\r\nHost: secret.example:443\r\n\r\n")
                    .readResponse();

            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains("upstream proxy 127.0.0.1:" + proxy.port()), response.bodyText());
            assertTrue(response.bodyText().contains("403"), response.bodyText());
            Flow flow = a.nextFinishedFlow();
            assertEquals(FlowError.Kind.CONNECT, flow.error().orElseThrow().kind());
            assertEquals(502, flow.response().orElseThrow().status());
        }
    }

    static Stream<Arguments> failedTunnels() {
        return Stream.of(
                Arguments.of("hangs up at once", "", "upstream proxy"),
                Arguments.of("answers garbage", "SSH-2.0-not-a-proxy\r\n\r\n", "malformed status line"),
                Arguments.of("wants credentials", "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
                        "refused a tunnel to example.com:443: 407 Proxy Authentication Required"),
                Arguments.of("redirects", "HTTP/1.1 302 Found\r\nLocation: http://portal/\r\nContent-Length: 0\r\n\r\n",
                        "refused a tunnel to example.com:443: 302 Found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failedTunnels")
    void answers502NamingTheUpstreamProxyWhenItFailsATunnel(String behaviour, String answer, String why) throws Exception {
        try (TestOrigin proxy = TestOrigin.start(conn -> {
                if (conn.readHead() != null) {
                    conn.write(answer);
                }
            });
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(proxy.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").readResponse();

            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains("upstream proxy 127.0.0.1:" + proxy.port()), response.bodyText());
            assertTrue(response.bodyText().contains(why), response.bodyText());
            assertFalse(a.nextFinishedFlow().error().isEmpty());
        }
    }

    @Test
    void answers502NamingTheUpstreamProxyWhenItCannotBeReached() throws Exception {
        int port = DialerTest.closedPort();
        try (ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(port)));
             RawClient client = a.rawClient()) {

            RawClient.Response plain = client.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
            RawClient.Response tunnel = client.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").readResponse();

            assertEquals(502, plain.status());
            assertTrue(plain.bodyText().contains("upstream proxy 127.0.0.1:" + port), plain.bodyText());
            assertEquals(502, tunnel.status());
            assertTrue(tunnel.bodyText().contains("upstream proxy 127.0.0.1:" + port), tunnel.bodyText());
        }
    }

    @Test
    void reusesPooledConnectionsToTheUpstreamProxy() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("again");
             ProxyUnderTest b = ProxyUnderTest.start();
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxyAt(b.port())))) {
            for (int i = 0; i < 3; i++) {
                // A new client connection each time: only A's upstream side keeps the connection.
                try (RawClient client = a.rawClient()) {
                    RawClient.Response response = client.send("GET " + origin.url("/" + i) + " HTTP/1.1\r\nHost: "
                            + origin.authority() + "\r\n\r\n").readResponse();
                    assertEquals(200, response.status());
                }
                Flow flow = a.nextFinishedFlow();
                assertEquals(i > 0, flow.isReusedUpstream(), "flow " + i);
            }

            ConnectionStats atA = a.wiretap().stats();
            assertEquals(1, atA.upstreamOpened());
            assertEquals(2, atA.upstreamReused());
            assertEquals(1, b.wiretap().stats().clientAccepted(), "B saw a single connection from A");
            assertFalse(b.wiretap().history().snapshot().isEmpty());
        }
    }

    @Test
    void refusesATunnelWhenTheUpstreamProxyIsWiretapItself() throws Exception {
        int port = DialerTest.closedPort();
        try (ProxyUnderTest a = ProxyUnderTest.start(s -> s.withListen(new HostPort("127.0.0.1", port))
                .withUpstreamProxy(proxyAt(port)));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").readResponse();

            assertEquals(508, response.status());
            assertTrue(response.bodyText().contains("upstream proxy 127.0.0.1:" + port), response.bodyText());
        }
    }

    @Test
    void refusesAPlainRequestWhenTheUpstreamProxyIsWiretapItself() throws Exception {
        int port = DialerTest.closedPort();
        try (ProxyUnderTest a = ProxyUnderTest.start(s -> s.withListen(new HostPort("127.0.0.1", port))
                .withUpstreamProxy(proxyAt(port)));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();

            assertEquals(508, response.status());
            assertTrue(response.bodyText().contains("upstream proxy 127.0.0.1:" + port), response.bodyText());
            assertEquals(FlowError.Kind.LOOP, a.nextFinishedFlow().error().orElseThrow().kind());
        }
    }

    private static UpstreamProxy proxyAt(int port) {
        return new UpstreamProxy(new HostPort("127.0.0.1", port));
    }

    /** A stand-in upstream proxy: records the head A sends, answers with {@code answer}, then holds the connection. */
    private static TestOrigin recordingProxy(String answer) throws IOException {
        return TestOrigin.start(conn -> {
            if (conn.readHead() != null) {
                conn.write(answer);
                while (conn.in().read() >= 0) {
                    // hold the connection (a tunnel) until A closes it
                }
            }
        });
    }
}
