package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.ClientAccess;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Curl;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proxy authentication ({@code clients.auth}, {@code --proxy-auth}): every request on a client's connection, CONNECT
 * included, must carry the credentials in {@code Proxy-Authorization: Basic}, else it gets 407 with the challenge and
 * goes nowhere; the credentials are never passed on. Driven by curl, the JDK's client with an Authenticator, and raw
 * requests for what clients do not send.
 */
class ProxyAuthTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3:cr\u00e9t";
    private static final UnaryOperator<Settings> AUTH = s -> s.withClients(ClientAccess.parseAuth(USER + ":" + PASSWORD, List.of()));

    @TempDir
    static Path dir;
    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("proxy auth test CA");

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void curlWithTheCredentialsIsServedAndTheOriginNeverSeesThem() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("origin"));
             ProxyUnderTest proxy = ProxyUnderTest.start(AUTH)) {
            Curl.Result served = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(),
                    "-U", USER + ":" + PASSWORD, "-w", "\n%{http_code}", origin.url("/with")));
            assertTrue(served.stdout().endsWith("\n200"), served.stdout() + served.stderr());
            String head = origin.takeHead();
            assertFalse(head.toLowerCase(Locale.ROOT).contains("proxy-authorization"), head);

            Curl.Result refused = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(),
                    "-D", "-", "-o", "/dev/null", origin.url("/without")));
            assertTrue(refused.stdout().startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n"), refused.stdout());
            assertTrue(refused.stdout().contains("\r\nProxy-Authenticate: Basic realm=\"wiretap\"\r\n"), refused.stdout());

            Curl.Result wrong = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(),
                    "-U", USER + ":guess", "-w", "%{http_code}", "-o", "/dev/null", origin.url("/wrong")));
            assertEquals("407", wrong.stdout(), wrong.stderr());
            assertEquals(1, origin.connectionCount(), "only the request with the credentials reached the origin");
        }
    }

    @Test
    void theJdkClientAnswersTheChallengeWithItsAuthenticator() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Authenticator authenticator = new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                asked.incrementAndGet();
                return getRequestorType() == RequestorType.PROXY ? new PasswordAuthentication(USER, PASSWORD.toCharArray()) : null;
            }
        };
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("origin"));
             ProxyUnderTest proxy = ProxyUnderTest.start(AUTH);
             HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address()))
                     .authenticator(authenticator).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/jdk")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals(1, asked.get(), "the client was challenged once");
            Flow challenged = proxy.nextFinishedFlow();
            assertEquals(407, challenged.response().orElseThrow().status());
            assertEquals("Basic realm=\"wiretap\"", challenged.response().orElseThrow().headers().first("Proxy-Authenticate").orElseThrow());
            assertEquals(200, proxy.nextFinishedFlow().response().orElseThrow().status());
        }
    }

    @ParameterizedTest(name = "Proxy-Authorization: {0}")
    @ValueSource(strings = {"", "Basic YWxpY2U6Z3Vlc3M=", "Bearer s3cret", "Basic", "basic %s, Basic %s"})
    void aRequestWithoutTheRightCredentialsGets407AndTheConnectionCarriesOnForTheNextTry(String given) throws Exception {
        String token = basic(USER + ":" + PASSWORD).substring(6);
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("origin"));
             ProxyUnderTest proxy = ProxyUnderTest.start(AUTH);
             RawClient client = proxy.rawClient()) {
            String field = given.isEmpty() ? "" : "Proxy-Authorization: " + given.replace("%s", token) + "\r\n";
            client.send("GET " + origin.url("/x") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n" + field + "\r\n");
            RawClient.Response refused = client.readResponse();
            assertEquals(407, refused.status(), refused.head());
            assertEquals("Basic realm=\"wiretap\"", refused.header("Proxy-Authenticate"));
            assertNull(refused.header("Connection"), "kept open for the next try: " + refused.head());

            client.send("GET " + origin.url("/x") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nProxy-Authorization: "
                    + "bASIC " + token + "\r\n\r\n");
            assertEquals(200, client.readResponse().status());
            assertEquals(1, origin.connectionCount());
        }
    }

    @Test
    void aRequestWithABodyAndNoCredentialsGets407AndTheConnectionCloses() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("origin"));
             ProxyUnderTest proxy = ProxyUnderTest.start(AUTH);
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/x") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 5\r\n\r\nhello");
            RawClient.Response refused = client.readResponse();
            assertEquals(407, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(client.isClosedByPeer());
            assertEquals(0, origin.connectionCount());
        }
    }

    @Test
    void aConnectNeedsTheCredentialsAndTheRequestsInsideTheTunnelDoNot() throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(ORIGIN_CA.serverContext("127.0.0.1"), "secret origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> AUTH.apply(ORIGIN_CA.interception().apply(s)));
             RawClient client = proxy.rawClient()) {
            String connect = "CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\n";
            client.send(connect + "\r\n");
            RawClient.Response refused = client.readResponse();
            assertEquals(407, refused.status(), refused.head());
            assertEquals("Basic realm=\"wiretap\"", refused.header("Proxy-Authenticate"));
            assertEquals(0, origin.connectionCount(), "no tunnel, no connection to the origin");

            client.send(connect + "Proxy-Authorization: " + basic(USER + ":" + PASSWORD) + "\r\n\r\n");
            assertTrue(client.readHead().startsWith("HTTP/1.1 200"));
            client.startTls(Interception.trustingWiretap(proxy), "127.0.0.1");
            client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals("secret origin", client.readResponse().bodyText());

            Path wiretapCa = Curl.writePem(proxy.wiretap().certificateAuthority().orElseThrow().certificate(),
                    dir.resolve("wiretap-ca.pem"));
            Curl.Result viaCurl = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(),
                    "-U", USER + ":" + PASSWORD, "--cacert", wiretapCa.toString(), "https://127.0.0.1:" + origin.port() + "/"));
            assertEquals("secret origin", viaCurl.stdout(), viaCurl.stderr());
            Curl.Result refusedCurl = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(),
                    "--cacert", wiretapCa.toString(), "https://127.0.0.1:" + origin.port() + "/"));
            assertTrue(refusedCurl.stderr().contains("407"), refusedCurl.stderr());
        }
    }
}
