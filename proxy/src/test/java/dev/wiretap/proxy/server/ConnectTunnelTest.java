package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RandomBody;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONNECT tunnels end to end: bytes relayed untouched both ways, half-close passed on, failures answered before
 * the tunnel opens (and the connection kept), loops refused, quiet tunnels closed, bytes counted on the flow,
 * and real TLS from the JDK HttpClient to an HTTPS origin through the tunnel.
 */
class ConnectTunnelTest {

    private static final String ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n";

    /** Reads everything until the client shuts its side, then answers with how many bytes came, and closes. */
    private static final TestOrigin.Handler COUNT_THEN_ANSWER = conn -> {
        long n = conn.in().transferTo(OutputStream.nullOutputStream());
        conn.write("got " + n + " bytes");
    };

    @Test
    void relaysBytesBothWaysByteExact() throws Exception {
        long size = 8L * 1024 * 1024;
        try (TestOrigin echo = TestOrigin.start(conn -> conn.in().transferTo(conn.out()));
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            openTunnel(client, echo.authority());

            RandomBody sent = new RandomBody(size, 42);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    sent.writeTo(client.out(), 20_000);
                    client.socket().shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> Thread.ofVirtual().start(runnable));
            RandomBody.Digest echoed = RandomBody.sha256Of(client.in(), Long.MAX_VALUE);
            writer.get(30, TimeUnit.SECONDS);

            assertEquals(size, echoed.bytes());
            assertEquals(sent.sha256(), echoed.sha256());
        }
    }

    @Test
    void passesAHalfCloseOnAndTheAnswerBack() throws Exception {
        try (TestOrigin origin = TestOrigin.start(COUNT_THEN_ANSWER); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            openTunnel(client, origin.authority());
            client.send("x".repeat(1234));
            client.socket().shutdownOutput();

            assertEquals("got 1234 bytes", new String(client.in().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void recordsTheTunnelsBytesEachWayOnTheFlow() throws Exception {
        try (TestOrigin origin = TestOrigin.start(COUNT_THEN_ANSWER); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            String connect = connect(origin.authority());
            openTunnel(client, origin.authority());
            client.send("y".repeat(5000));
            client.socket().shutdownOutput();
            String answer = new String(client.in().readAllBytes(), StandardCharsets.US_ASCII);

            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, flow.state(), flow.toString());
            assertEquals(connect.length() + 5000, flow.bytesFromClient());
            assertEquals(ESTABLISHED.length() + answer.length(), flow.bytesToClient());
            assertEquals(200, flow.response().orElseThrow().status());
        }
    }

    @Test
    void answers502ForAClosedPortAndKeepsTheConnectionUsable() throws Exception {
        int port = UpstreamErrorsTest.closedPort();
        try (TestOrigin origin = TestOrigin.fixed("still here"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(connect("127.0.0.1:" + port));
            UpstreamErrorsTest.assertOriginError(client.readResponse(), 502, "127.0.0.1:" + port, "connection refused");
            UpstreamErrorsTest.assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.CONNECT);

            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response next = client.readResponse();
            assertEquals(200, next.status());
            assertEquals("still here", next.bodyText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"127.0.0.1:PORT", "localhost:PORT", "127.1:PORT", "0.0.0.0:PORT", "[::ffff:127.0.0.1]:PORT", "wiretap:443"})
    void answers508ForATunnelToWiretapItself(String self) throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(connect(self.replace("PORT", Integer.toString(proxy.port()))));

            RawClient.Response response = client.readResponse();
            assertEquals(508, response.status(), response.head() + response.bodyText());
            assertTrue(response.bodyText().contains("wiretap itself"), response.bodyText());
            UpstreamErrorsTest.assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.LOOP);
            assertEquals(1, proxy.wiretap().stats().clientAccepted(), "wiretap connected to itself");
        }
    }

    @Test
    void bytesSentWithTheConnectRequestGoThroughTheTunnel() throws Exception {
        try (TestOrigin origin = TestOrigin.start(COUNT_THEN_ANSWER); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(connect(origin.authority()) + "z".repeat(321)); // one write: the tunnel's first bytes come early
            assertEquals(ESTABLISHED, client.readHead());
            client.socket().shutdownOutput();

            assertEquals("got 321 bytes", new String(client.in().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a closed port", "wiretap itself"})
    void closesAfterARefusedTunnelWhenTunnelBytesAlreadyCame(String target) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (TestOrigin origin = RequestSmugglingTest.recordingOrigin(received); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            int port = target.equals("wiretap itself") ? proxy.port() : UpstreamErrorsTest.closedPort();
            // The bytes after the CONNECT were meant for the tunnel; read as HTTP they would be a request of their own.
            client.send(connect("127.0.0.1:" + port) + "GET " + origin.url("/smuggled") + " HTTP/1.1\r\nHost: "
                    + origin.authority() + "\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(target.equals("wiretap itself") ? 508 : 502, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened(), "wiretap read tunnel bytes as a request");
        }
    }

    @Test
    void endsTheFlowWhenTheClientIsGoneBeforeTheTunnelOpens() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Addon holdConnect = new Addon() {
            @Override
            public void onRequestHead(Flow flow) {
                reached.countDown();
                awaitQuietly(proceed);
            }
        };
        try (TestOrigin origin = TestOrigin.start(COUNT_THEN_ANSWER); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(holdConnect))) {
            RawClient client = proxy.rawClient();
            client.send(connect(origin.authority()));
            assertTrue(reached.await(10, TimeUnit.SECONDS));
            client.socket().setSoLinger(true, 0);
            client.close(); // a reset: wiretap's 200 cannot be written
            proceed.countDown();

            Flow flow = proxy.nextFinishedFlow(); // a flow left unfinished would stay in the flow store for good
            if (flow.state() == Flow.State.FAILED) {
                assertEquals(FlowError.Kind.CLIENT_CLOSED, flow.error().orElseThrow().kind(), flow.toString());
            } // else the reset reached wiretap only after its 200 had gone: the tunnel then ended at once
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closesATunnelThatStaysQuiet() throws Exception {
        BlockingQueue<String> originSaw = new LinkedBlockingQueue<>();
        try (TestOrigin origin = TestOrigin.start(reportEnd(originSaw));
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withTunnelIdle(Duration.ofSeconds(1))));
             RawClient client = proxy.rawClient()) {
            openTunnel(client, origin.authority());

            assertTrue(client.isClosedByPeer(), "the quiet tunnel sent something");
            String end = originSaw.poll(10, TimeUnit.SECONDS);
            assertNotNull(end, "the origin side of the tunnel stayed open");
            assertTrue(!end.equals("a byte"), end);
            assertEquals(Flow.State.COMPLETED, proxy.nextFinishedFlow().state());
        }
    }

    @Test
    void closesBothSidesOfATunnelWhenAStopsGraceEnds() throws Exception {
        BlockingQueue<String> originSaw = new LinkedBlockingQueue<>();
        try (TestOrigin origin = TestOrigin.start(reportEnd(originSaw)); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            openTunnel(client, origin.authority());

            proxy.wiretap().stop(Duration.ofMillis(300));
            assertTrue(client.isClosedByPeer(), "the tunnel sent something");
            String end = originSaw.poll(10, TimeUnit.SECONDS);
            assertNotNull(end, "the origin side of the tunnel stayed open after stop");
            assertTrue(!end.equals("a byte"), end);
            assertTrue(proxy.nextFinishedFlow().isDone());
        }
    }

    /** An origin that sends nothing and reports how its connection ended. */
    private static TestOrigin.Handler reportEnd(BlockingQueue<String> ends) {
        return conn -> {
            try {
                ends.add(conn.in().read() < 0 ? "end of stream" : "a byte");
            } catch (IOException e) {
                ends.add("reset");
            }
        };
    }

    @Test
    void theJdkHttpClientFetchesAnHttpsOriginThroughTheTunnel(@TempDir Path dir) throws Exception {
        KeyStore keys = selfSignedKeyStore(dir.resolve("origin.p12"));
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls(keys)));
        server.createContext("/secret", exchange -> {
            byte[] body = ("over TLS to " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String authority = "127.0.0.1:" + server.getAddress().getPort();
        try (ProxyUnderTest proxy = ProxyUnderTest.start();
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                     .proxy(ProxySelector.of(proxy.address())).sslContext(clientTls(keys))
                     .connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://" + authority + "/secret?x=1"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("over TLS to /secret?x=1", response.body());
            FlowEvent.Requested tunnel = proxy.nextEvent(FlowEvent.Requested.class);
            assertEquals("CONNECT", tunnel.flow().request().method());
            assertEquals(authority, tunnel.flow().request().target());
        } finally {
            server.stop(0);
        }
    }

    static String connect(String authority) {
        return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
    }

    /** Asks for a tunnel and checks wiretap's answer, exactly as it must be before the tunnel's first byte. */
    static void openTunnel(RawClient client, String authority) throws IOException {
        client.send(connect(authority));
        assertEquals(ESTABLISHED, client.readHead(), "wiretap did not open the tunnel");
    }

    /** A PKCS12 key store with a fresh EC key and a self-signed certificate for 127.0.0.1, made by keytool. */
    static KeyStore selfSignedKeyStore(Path file) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "origin", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), "keytool failed: " + output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keys.load(in, "changeit".toCharArray());
        }
        return keys;
    }

    static SSLContext serverTls(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    /** A client context that trusts exactly the origin's self-signed certificate. */
    static SSLContext clientTls(KeyStore keys) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("origin", keys.getCertificate("origin"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }
}
