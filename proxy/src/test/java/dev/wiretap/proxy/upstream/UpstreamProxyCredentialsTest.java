package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.AuthGate;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * wiretap A behind a company proxy that wants credentials: an {@link AuthGate} (Basic, 407 otherwise) in front of a
 * second wiretap B, which reaches the real origins. Plain HTTP (absolute form), CONNECT tunnels (intercepted and
 * not), and the gate over TLS (an https:// upstream proxy); wrong or missing credentials, and the password never
 * shown.
 */
class UpstreamProxyCredentialsTest {

    private static final String USER = "alice";
    /** A password with characters that must be percent-encoded in the URL: ':', '@', '%', '/', and a non-ASCII one. */
    private static final String PASSWORD = "s3:cr@t%/ü";
    private static final String PASSWORD_IN_URL = "s3%3Acr%40t%25%2F%C3%BC";

    /** Answers each request on a kept-alive connection with its request line. */
    private static final TestOrigin.Handler ECHO = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            conn.readBody(head);
            byte[] answer = (Heads.startLine(head) + "\n").getBytes(StandardCharsets.UTF_8);
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\n\r\n");
            conn.out().write(answer);
            conn.out().flush();
        }
    };

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("upstream proxy test CA");

    @Test
    void sendsTheProxysCredentialsWithEveryPlainRequestInsteadOfTheClients() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("hello");
             ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxy("http", gate, USER, PASSWORD_IN_URL)));
             RawClient client = a.rawClient()) {
            for (int i = 0; i < 2; i++) {
                // The client's own Proxy-Authorization is for wiretap: it never goes further.
                RawClient.Response response = client.send("GET " + origin.url("/" + i) + " HTTP/1.1\r\nHost: " + origin.authority()
                        + "\r\nProxy-Authorization: Basic Y2xpZW50OnNlY3JldA==\r\n\r\n").readResponse();

                assertEquals(200, response.status(), response.bodyText());
                assertEquals("hello", response.bodyText());
                String head = gate.takeHead();
                assertEquals("GET " + origin.url("/" + i) + " HTTP/1.1", Heads.startLine(head));
                assertEquals(List.of(basic(USER, PASSWORD)), Heads.values(head, "Proxy-Authorization"));
            }
            assertEquals(0, gate.refusals());
            assertEquals(1, a.wiretap().stats().upstreamOpened(), "the second request reused the connection to the proxy");
        }
    }

    @Test
    void opensTunnelsWithTheProxysCredentials() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("inside");
             ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(proxy("http", gate, USER, PASSWORD_IN_URL)));
             RawClient client = a.rawClient()) {
            String target = origin.authority();

            String established = client.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").readHead();
            RawClient.Response response = client.send("GET /t HTTP/1.1\r\nHost: " + target + "\r\n\r\n").readResponse();

            assertEquals("HTTP/1.1 200 Connection established", Heads.startLine(established));
            assertEquals("inside", response.bodyText());
            String head = gate.takeHead();
            assertEquals("CONNECT " + target + " HTTP/1.1", Heads.startLine(head));
            assertEquals(basic(USER, PASSWORD), Heads.value(head, "Proxy-Authorization"));
        }
    }

    @Test
    void interceptsHttpsThroughAProxyThatWantsCredentials() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s)
                     .withUpstreamProxy(proxy("http", gate, USER, PASSWORD_IN_URL)));
             HttpClient client = Interception.httpsClient(a, Interception.trustingWiretap(a))) {

            HttpResponse<String> response = get(client, origin.httpsUrl("/secret?q=1"));

            assertEquals(200, response.statusCode());
            assertEquals("GET /secret?q=1 HTTP/1.1\n", response.body());
            assertEquals("CONNECT " + origin.authority() + " HTTP/1.1", Heads.startLine(gate.takeHead()));
            assertEquals(0, gate.refusals());
        }
    }

    @Test
    void reachesAnHttpsProxyOverTlsForPlainRequestsAndForTunnelsInsideIt() throws Exception {
        try (TestOrigin plainOrigin = TestOrigin.fixed("plain");
             TestOrigin tlsOrigin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(ORIGIN_CA.serverContext("localhost"), USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s)
                     .withUpstreamProxy(UpstreamProxy.parse("https://" + USER + ":" + PASSWORD_IN_URL + "@localhost:" + gate.port())));
             HttpClient client = Interception.httpsClient(a, Interception.trustingWiretap(a))) {

            HttpResponse<String> plain = get(client, plainOrigin.url("/p"));
            HttpResponse<String> secure = get(client, tlsOrigin.httpsUrl("/s"));

            assertEquals("plain", plain.body());
            assertEquals("GET /s HTTP/1.1\n", secure.body(), "TLS to the origin inside the tunnel, inside TLS to the proxy");
            List<String> lines = List.of(Heads.startLine(gate.takeHead()), Heads.startLine(gate.takeHead()));
            assertTrue(lines.contains("GET " + plainOrigin.url("/p") + " HTTP/1.1"), lines.toString());
            assertTrue(lines.contains("CONNECT " + tlsOrigin.authority() + " HTTP/1.1"), lines.toString());
        }
    }

    @Test
    void refusesAnHttpsProxyWhoseCertificateItDoesNotTrust() throws Exception {
        TestCa stranger = TestCa.ec("nobody trusts this CA");
        try (ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(stranger.issue("localhost").serverContext(), USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(UpstreamProxy.parse("https://localhost:" + gate.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();

            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains("TLS handshake with upstream proxy localhost:" + gate.port() + " failed"),
                    response.bodyText());
            assertEquals(FlowError.Kind.TLS, a.nextFinishedFlow().error().orElseThrow().kind());
        }
    }

    static Stream<Arguments> refusedCredentials() {
        return Stream.of(
                Arguments.of("none", "", "it wants credentials (Proxy-Authenticate: Basic realm=\"corp\"): give them in its URL,"
                        + " http://USER:PASSWORD@127.0.0.1:"),
                Arguments.of("a wrong password", USER + ":hunter2@", "it did not accept the credentials of user 'alice'"
                        + " (Proxy-Authenticate: Basic realm=\"corp\")"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void answers502NamingTheProxyWhenItRefusesAPlainRequestsCredentials(String what, String userInfo, String why) throws Exception {
        try (ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(UpstreamProxy.parse("http://" + userInfo + "127.0.0.1:" + gate.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();

            assertEquals(502, response.status());
            assertEquals(null, response.header("Proxy-Authenticate"), "the client is not asked for credentials for wiretap");
            String expected = "upstream proxy 127.0.0.1:" + gate.port() + " refused a request to example.com:80: 407 Proxy"
                    + " Authentication Required; " + why;
            assertTrue(response.bodyText().contains(expected), response.bodyText());
            assertFalse(response.bodyText().contains("hunter2"), response.bodyText());
            Flow flow = a.nextFinishedFlow();
            assertEquals(FlowError.Kind.CONNECT, flow.error().orElseThrow().kind());
            assertTrue(flow.error().orElseThrow().message().contains(expected), flow.error().orElseThrow().message());
            assertEquals(1, gate.refusals());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void answers502NamingTheProxyWhenItRefusesATunnelsCredentials(String what, String userInfo, String why) throws Exception {
        try (ProxyUnderTest b = ProxyUnderTest.start();
             AuthGate gate = AuthGate.start(USER, PASSWORD, b.address());
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(UpstreamProxy.parse("http://" + userInfo + "127.0.0.1:" + gate.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").readResponse();

            assertEquals(502, response.status());
            String expected = "upstream proxy 127.0.0.1:" + gate.port() + " refused a tunnel to example.com:443: 407 Proxy"
                    + " Authentication Required; " + why;
            assertTrue(response.bodyText().contains(expected), response.bodyText());
            assertFalse(response.bodyText().contains("hunter2"), response.bodyText());
            assertEquals(FlowError.Kind.CONNECT, a.nextFinishedFlow().error().orElseThrow().kind());
        }
    }

    @Test
    void saysSoWhenTheProxyWantsASchemeOtherThanBasic() throws Exception {
        try (TestOrigin ntlmProxy = TestOrigin.start(conn -> {
                if (conn.readHead() != null) {
                    conn.write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\n"
                            + "Proxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n");
                }
            });
             ProxyUnderTest a = ProxyUnderTest.start(s -> s.withUpstreamProxy(UpstreamProxy.parse("http://alice:pw@127.0.0.1:" + ntlmProxy.port())));
             RawClient client = a.rawClient()) {

            RawClient.Response response = client.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();

            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains("it asks for Negotiate, NTLM authentication (Proxy-Authenticate: Negotiate,"
                    + " NTLM), and wiretap sends Basic credentials only"), response.bodyText());
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static UpstreamProxy proxy(String scheme, AuthGate gate, String user, String password) {
        return UpstreamProxy.parse(scheme + "://" + user + ":" + password + "@127.0.0.1:" + gate.port());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
