package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.flow.Timings;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RandomBody;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS interception end to end, with real TLS on both sides: the JDK HttpClient, trusting only wiretap's CA,
 * fetches HTTPS test origins (whose certificates a test CA signed, which wiretap is told to trust) through wiretap,
 * which decrypts each request into a flow of its own.
 */
class HttpsInterceptionTest {

    /** Answers each request on a kept-alive connection with its request line and body. */
    static final TestOrigin.Handler ECHO = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            byte[] body = conn.readBody(head);
            byte[] answer = (Heads.startLine(head) + "\n" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Origin: tls\r\nContent-Length: " + answer.length + "\r\n\r\n");
            conn.out().write(answer);
            conn.out().flush();
        }
    };

    @TempDir
    static Path dir;
    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("interception test CA");

    @Test
    void getsAnHttpsOriginWithTheRequestDecryptedIntoAFlow() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/hello?x=1")))
                    .header("X-Test", "decrypted").timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("GET /hello?x=1 HTTP/1.1\n", response.body());
            X509Certificate seen = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertEquals(proxy.wiretap().certificateAuthority().orElseThrow().certificate().getSubjectX500Principal(),
                    seen.getIssuerX500Principal(), "the client did not get wiretap's certificate");

            String atOrigin = origin.takeHead();
            assertEquals("GET /hello?x=1 HTTP/1.1", Heads.startLine(atOrigin));
            assertEquals("decrypted", Heads.value(atOrigin, "X-Test"));
            assertEquals("1.1 wiretap", Heads.value(atOrigin, "Via"));
            assertEquals(origin.authority(), Heads.value(atOrigin, "Host"));

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            assertEquals(origin.authority(), tunnel.request().url());
            assertTrue(tunnel.isIntercepted(), "the CONNECT flow is not marked intercepted");
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            assertEquals(200, tunnel.response().orElseThrow().status());

            Flow get = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, get.state(), get.toString());
            assertEquals("GET", get.request().method());
            assertEquals(origin.httpsUrl("/hello?x=1"), get.request().url());
            assertEquals("decrypted", get.request().headers().first("X-Test").orElseThrow());
            assertEquals(200, get.response().orElseThrow().status());
            assertEquals("tls", get.response().orElseThrow().headers().first("X-Origin").orElseThrow());
            assertEquals("GET /hello?x=1 HTTP/1.1\n", get.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void postsABodyAndCapturesBothBodiesDecrypted() throws Exception {
        String sent = "name=wiretap&secret=" + "s".repeat(5000);
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/form")))
                    .POST(HttpRequest.BodyPublishers.ofString(sent)).header("Content-Type", "application/x-www-form-urlencoded")
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("POST /form HTTP/1.1\n" + sent, response.body());
            proxy.nextFinishedFlow(); // the CONNECT
            Flow post = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, post.state(), post.toString());
            assertEquals(origin.httpsUrl("/form"), post.request().url());
            assertEquals(sent, post.request().body().text(StandardCharsets.UTF_8));
            assertEquals("POST /form HTTP/1.1\n" + sent, post.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void carriesSeveralRequestsOnOneKeptAliveTunnelAndOneOriginConnection() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/n" + i)))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("GET /n" + i + " HTTP/1.1\n", response.body());
            }

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            for (int i = 0; i < 3; i++) {
                Flow get = proxy.nextFinishedFlow();
                assertEquals(origin.httpsUrl("/n" + i), get.request().url());
                assertEquals(tunnel.client(), get.client(), "not on the tunnel's connection");
            }
            assertEquals(1, proxy.wiretap().stats().clientAccepted(), "the client opened more than one tunnel");
            assertEquals(1, origin.connectionCount(), "wiretap opened more than one connection to the origin");
            assertEquals(1, proxy.wiretap().stats().upstreamOpened());
            assertEquals(2, proxy.wiretap().stats().upstreamReused());
        }
    }

    @Test
    void reusesThePooledOriginConnectionAcrossTwoTunnels() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception())) {
            for (int i = 0; i < 2; i++) {
                try (HttpClient client = Interception.httpsClient(proxy)) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/t" + i)))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals("GET /t" + i + " HTTP/1.1\n", response.body());
                }
            }

            assertEquals(2, proxy.wiretap().stats().clientAccepted(), "the two clients shared a tunnel");
            assertEquals(1, proxy.wiretap().stats().upstreamOpened());
            assertEquals(1, proxy.wiretap().stats().upstreamReused());
            assertEquals("CONNECT", proxy.nextFinishedFlow().request().method());
            assertFalse(proxy.nextFinishedFlow().isReusedUpstream());
            assertEquals("CONNECT", proxy.nextFinishedFlow().request().method());
            assertTrue(proxy.nextFinishedFlow().isReusedUpstream(), "the second tunnel's request went over a new connection");
        }
    }

    /**
     * A server that runs each TLS handshake in its accept loop is held up for everyone by a connection that never
     * starts TLS. A rule answering the tunnel's first request must leave no such connection behind: the one wiretap
     * opened at the CONNECT starts TLS at once and is closed when the rule answers.
     */
    @Test
    void aMockedRequestInATunnelLeavesNoConnectionHoldingUpTheOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.startTlsHandshakingInTurn(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(TestRules.with(dir, """
                     rules:
                       - match: path:/mocked
                         respond: {status: 200, body: mocked}
                     """).apply(s)));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            client.send("GET /mocked HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("mocked", client.readResponse().bodyText());

            awaitEnded(origin, 1); // the connection opened at the CONNECT, closed though the tunnel is still open
            assertEquals("GET /direct HTTP/1.1\n", fetchDirectly(origin), "the origin served no one else");
            assertEquals(2, origin.connectionCount());
        }
    }

    /** The connection opened at the CONNECT starts TLS at once: it does not wait, bare, for the client's first request. */
    @Test
    void theConnectionOpenedForATunnelStartsTlsBeforeAnyRequest() throws Exception {
        try (TestOrigin origin = TestOrigin.startTlsHandshakingInTurn(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);

            assertEquals("GET /direct HTTP/1.1\n", fetchDirectly(origin), "the origin served no one else");

            client.close(); // the client goes away without a request: the connection opened for it is closed
            awaitEnded(origin, 2);
            assertEquals(2, origin.connectionCount());
        }
    }

    @Test
    void theTunnelsFirstRequestUsesTheConnectionOpenedAtTheConnectAndReportsItsHandshake() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/h" + i)))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("GET /h" + i + " HTTP/1.1\n", response.body());
            }

            assertEquals(1, origin.connectionCount());
            Flow tunnel = proxy.nextFinishedFlow();
            assertTrue(tunnel.timings().connectNanos() >= 0, tunnel.timings().toString());
            Timings first = proxy.nextFinishedFlow().timings();
            assertTrue(first.dnsNanos() >= 0, first.toString());
            assertTrue(first.connectNanos() >= 0, first.toString());
            assertTrue(first.sslNanos() > 0, "no TLS handshake recorded: " + first);
            Timings second = proxy.nextFinishedFlow().timings();
            assertEquals(List.of(-1L, -1L, -1L), List.of(second.dnsNanos(), second.connectNanos(), second.sslNanos()),
                    "a reused connection made no connection: " + second);
        }
    }

    @Test
    void aRequestOnANewConnectionFromThePoolReportsItsHandshake() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient raw = proxy.rawClient()) {
            // An https URL in absolute form, with no tunnel: the pool opens the connection, TLS and all, for the request.
            raw.send("GET " + origin.httpsUrl("/pooled") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("GET /pooled HTTP/1.1\n", raw.readResponse().bodyText());

            Timings timings = proxy.nextFinishedFlow().timings();
            assertTrue(timings.connectNanos() >= 0 && timings.sslNanos() > 0, timings.toString());
        }
    }

    @Test
    void servesAnOriginNamedByHostName() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("localhost"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            String url = "https://localhost:" + origin.port() + "/named";
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            X509Certificate seen = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            assertEquals(List.of(List.of(2, "localhost")), List.copyOf(seen.getSubjectAlternativeNames()));
            proxy.nextFinishedFlow();
            assertEquals(url, proxy.nextFinishedFlow().request().url());
        }
    }

    @Test
    void eachFlowRecordsTheTlsWithTheClientAndWithTheOriginReusedOrNot() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("localhost"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            for (String path : List.of("/first", "/second")) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + origin.port() + path))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
            }
            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            Flow first = proxy.nextFinishedFlow();
            Flow second = proxy.nextFinishedFlow();

            TlsHandshake clientSide = first.clientTls().orElseThrow();
            assertEquals("TLSv1.3", clientSide.protocol());
            assertTrue(clientSide.cipherSuite().startsWith("TLS_"), clientSide.cipherSuite());
            assertEquals("localhost", clientSide.serverName());
            TlsHandshake originSide = first.upstreamTls().orElseThrow();
            assertEquals("TLSv1.3", originSide.protocol());
            assertEquals("localhost", originSide.serverName());
            assertEquals(false, first.isReusedUpstream());
            assertEquals(true, second.isReusedUpstream());
            assertEquals(first.upstreamTls(), second.upstreamTls(), "the reused connection's TLS");
            assertEquals(first.clientTls(), second.clientTls(), "the tunnel's TLS");
        }
        try (TestOrigin plain = TestOrigin.start(ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient raw = proxy.rawClient()) {
            raw.send("GET " + plain.url("/plain") + " HTTP/1.1\r\nHost: " + plain.authority() + "\r\n\r\n");
            raw.readResponse();
            Flow flow = proxy.nextFinishedFlow();
            assertTrue(flow.clientTls().isEmpty() && flow.upstreamTls().isEmpty(), flow.toString());
        }
    }

    @Test
    void aClientThatKeepsItsTlsSessionResumesItInTheNextTunnel() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception())) {
            // One SSLContext, as a browser keeps one session cache: each new tunnel offers the ticket the last one got.
            javax.net.ssl.SSLContext client = Interception.trustingWiretap(proxy);
            for (int i = 0; i < 3; i++) {
                try (RawClient raw = proxy.rawClient()) {
                    ConnectTunnelTest.openTunnel(raw, origin.authority());
                    raw.startTls(client, null); // an address: no SNI, as the origin's certificate holds the address only
                    raw.send("GET /visit" + i + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
                    assertEquals("GET /visit" + i + " HTTP/1.1\n", raw.readResponse().bodyText());
                }
            }
            var stats = proxy.wiretap().stats();
            assertEquals(3, stats.clientTlsHandshakes(), stats.toString());
            assertEquals(2, stats.clientTlsResumed(), "the second and third tunnels should have resumed: " + stats);
        }
    }

    @Test
    void aTunnelOpenedWhileThePoolHoldsAConnectionToTheOriginUsesItAndDialsNothing() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception())) {
            for (int i = 0; i < 3; i++) {
                // A client of its own each time: a new CONNECT and TLS handshake with wiretap per request.
                try (HttpClient client = Interception.httpsClient(proxy)) {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/n" + i)))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals("GET /n" + i + " HTTP/1.1\n", response.body());
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (proxy.wiretap().stats().upstreamIdle() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5); // the exchange gives its connection back just after the client has the answer
                }
            }
            var stats = proxy.wiretap().stats();
            assertEquals(1, origin.connectionCount(), "the second and third tunnels should have dialed nothing: " + stats);
            assertEquals(1, stats.tunnelReserved(), stats.toString());
            assertEquals(1, stats.tunnelReservedUsed(), stats.toString());
            assertEquals(2, stats.upstreamReused(), stats.toString());
        }
    }

    @Test
    void picksTheCertificateByTheClientsSniElseByTheConnectHost() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception())) {
            try (RawClient client = proxy.rawClient()) {
                ConnectTunnelTest.openTunnel(client, origin.authority());
                client.startTls(Interception.trustingWiretap(proxy), null); // an IP address: no SNI

                X509Certificate seen = (X509Certificate) ((SSLSocket) client.socket()).getSession().getPeerCertificates()[0];
                List<?> san = seen.getSubjectAlternativeNames().iterator().next();
                assertEquals(7, san.get(0), "not an IP address SAN: " + san);
                assertEquals(InetAddress.getByName("127.0.0.1"), InetAddress.getByName((String) san.get(1)));

                client.send("GET /no-sni HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
                assertEquals("GET /no-sni HTTP/1.1\n", client.readResponse().bodyText());
            }
            try (RawClient client = proxy.rawClient()) {
                ConnectTunnelTest.openTunnel(client, origin.authority());
                client.startTls(Interception.trustingWiretap(proxy), "app.example");

                X509Certificate seen = (X509Certificate) ((SSLSocket) client.socket()).getSession().getPeerCertificates()[0];
                assertEquals(List.of(List.of(2, "app.example")), List.copyOf(seen.getSubjectAlternativeNames()));
            }
        }
    }

    @Test
    void aTunnelToAnAddressKeepsTheClientsSniForTheOriginAndItsHostField() throws Exception {
        // The origin's certificate names only "localhost": verifying it against the CONNECT address would fail.
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("localhost"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), "localhost");
            client.send("GET /vhost HTTP/1.1\r\nHost: vhost.test\r\n\r\n");

            assertEquals("GET /vhost HTTP/1.1\n", client.readResponse().bodyText());
            assertEquals("vhost.test", Heads.value(origin.takeHead(), "Host"), "the client's Host did not reach the origin");
            assertEquals(1, origin.connectionCount(), "the connection opened at the CONNECT went unused");
        }
    }

    @Test
    void splicesAWebSocketUpgradeInsideTheTunnelBothWays() throws Exception {
        TestOrigin.Handler websocketEcho = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello");
            conn.in().transferTo(conn.out());
        };
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), websocketEcho);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            client.send("GET /chat HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");

            String head = client.readHead();
            assertEquals("HTTP/1.1 101 Switching Protocols", Heads.startLine(head));
            assertEquals("websocket", Heads.value(head, "Upgrade"));
            String forwarded = origin.takeHead();
            assertEquals("websocket", Heads.value(forwarded, "Upgrade"));
            assertEquals("upgrade", Heads.value(forwarded, "Connection").toLowerCase(Locale.ROOT));

            assertEquals("hello", new String(client.in().readNBytes(5), StandardCharsets.US_ASCII));
            byte[] frame = new byte[70_000];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) (i * 31);
            }
            client.send(frame);
            assertArrayEquals(frame, client.in().readNBytes(frame.length));
            client.socket().close(); // ends the splice: the upgraded flow completes

            proxy.nextFinishedFlow(); // the CONNECT
            Flow upgraded = proxy.nextFinishedFlow();
            assertEquals(origin.httpsUrl("/chat"), upgraded.request().url());
            assertEquals(101, upgraded.response().orElseThrow().status());
            assertEquals(Flow.State.COMPLETED, upgraded.state(), upgraded.toString());
            assertEquals(frame.length, upgraded.bytesFromClient() - upgraded.request().wireHead().length);
        }
    }

    @Test
    void relaysABigBodyByteExactBothWays() throws Exception {
        long size = 3L * 1024 * 1024 + 17;
        TestOrigin.Handler echoBody = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                long length = Heads.contentLength(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n");
                byte[] buf = new byte[16 * 1024];
                for (long left = length; left > 0; ) {
                    int n = conn.in().read(buf, 0, (int) Math.min(buf.length, left));
                    conn.out().write(buf, 0, n);
                    left -= n;
                }
                conn.out().flush();
            }
        };
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), echoBody);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            RandomBody sent = new RandomBody(size, 7);
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/big")))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> sent), size))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
            RandomBody.Digest echoed;
            try (InputStream body = response.body()) {
                echoed = RandomBody.sha256Of(body, Long.MAX_VALUE);
            }

            assertEquals(200, response.statusCode());
            assertEquals(size, echoed.bytes());
            assertEquals(sent.sha256(), echoed.sha256());
            proxy.nextFinishedFlow();
            Flow post = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, post.state(), post.toString());
            assertEquals(size, post.request().body().size());
            assertEquals(size, post.response().orElseThrow().body().size());
        }
    }

    @Test
    void answersAClientOfferingHttp2InHttp11WhenHttp2IsOff() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s)
                     .withHttp2(s.http2().withEnabled(false)));
             HttpClient client = Interception.h2Client(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/h2")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
            assertEquals("GET /h2 HTTP/1.1\n", response.body());
        }
    }

    @Test
    void interceptsThroughAnUpstreamProxy() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest upstream = ProxyUnderTest.start();
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s)
                     .withUpstreamProxy(UpstreamProxy.parse("http://127.0.0.1:" + upstream.port())));
             HttpClient client = Interception.httpsClient(proxy)) {
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/via/" + i)))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals("GET /via/" + i + " HTTP/1.1\n", response.body());
            }

            // The upstream proxy saw one tunnel (still open: it is pooled), which carried both requests.
            Flow atUpstream = upstream.nextEvent(FlowEvent.Requested.class).flow();
            assertEquals("CONNECT", atUpstream.request().method());
            assertEquals(origin.authority(), atUpstream.request().url());
            assertEquals(List.of(), upstream.drainEvents().stream().filter(e -> e instanceof FlowEvent.Requested).toList());
            assertEquals(1, origin.connectionCount());
            assertTrue(proxy.nextFinishedFlow().isIntercepted());
            assertEquals(origin.httpsUrl("/via/0"), proxy.nextFinishedFlow().request().url());
            assertEquals(origin.httpsUrl("/via/1"), proxy.nextFinishedFlow().request().url());
        }
    }

    /** GETs /direct from {@code origin} straight, not through wiretap; fails if it is not answered within 10 s. */
    private static String fetchDirectly(TestOrigin origin) throws Exception {
        try (HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(HttpClient.Builder.NO_PROXY)
                .sslContext(ORIGIN_CA.clientTrustingOrigins()).connectTimeout(Duration.ofSeconds(5)).build()) {
            return direct.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/direct"))).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /** Waits up to 10 s for {@code origin} to have seen {@code count} connections end. */
    private static void awaitEnded(TestOrigin origin, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (origin.endedCount() < count) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(origin.endedCount() + " of the origin's connections ended, not " + count);
            }
            Thread.sleep(10);
        }
    }
}
