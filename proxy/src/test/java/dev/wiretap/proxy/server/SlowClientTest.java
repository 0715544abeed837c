package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that hold a connection without finishing what they send: each is cut off by its own timeout (header,
 * body, idle), set to a second here, however slowly it keeps trickling bytes, in plain HTTP and inside intercepted
 * TLS.
 */
class SlowClientTest {

    private static final Duration SHORT = Duration.ofSeconds(1);

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("slow client test CA");

    @Test
    void cutsOffASlowLorisThatKeepsSendingItsHeadWith408() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientHeader(SHORT)));
             RawClient client = proxy.rawClient()) {
            byte[] head = "GET http://example.invalid/ HTTP/1.1\r\nHost: example.invalid\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            Thread loris = Thread.ofVirtual().name("slow-loris").start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        client.out().write(i < head.length ? head[i] : 'z');
                        client.out().flush();
                        Thread.sleep(200); // the pace of the attack, not a wait for anything
                    }
                } catch (IOException | InterruptedException e) {
                    // wiretap cut the connection (the point of the test), or the test is over
                }
            });
            try {
                RawClient.Response response = client.readResponse();
                assertEquals(408, response.status(), response.head() + response.bodyText());
                assertTrue(response.bodyText().contains("did not arrive within 1 s"), response.bodyText());
                assertTrue(client.isClosedByPeer());
                assertEquals(FlowError.Kind.CLIENT_TIMEOUT, proxy.nextFinishedFlow().error().orElseThrow().kind());
            } finally {
                loris.interrupt();
                loris.join();
            }
        }
    }

    @Test
    void cutsOffAClientThatStallsMidBody() throws Exception {
        TestOrigin.Handler sink = conn -> conn.in().transferTo(OutputStream.nullOutputStream());
        try (TestOrigin origin = TestOrigin.start(sink);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientRead(SHORT)));
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 100\r\n\r\n" + "0123456789");

            RawClient.Response response = client.readResponse();
            assertEquals(408, response.status(), response.head() + response.bodyText());
            assertTrue(response.bodyText().contains("stalled for 1 s"), response.bodyText());
            assertTrue(client.isClosedByPeer());
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_TIMEOUT, flow.error().orElseThrow().kind(), flow.toString());
        }
    }

    /**
     * The same cut-offs inside an intercepted tunnel, where the timed-out read is a TLS one: the 408 must still reach
     * the client (found by bin/soak: the client's TLS ended with no answer, and a stalled upload left no flow).
     */
    @Test
    void cutsOffASlowLorisInsideAnInterceptedTunnelWith408() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), conn -> conn.readHead());
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(
                     s.withTimeouts(s.timeouts().withClientHeader(SHORT))));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            byte[] head = ("GET /slow HTTP/1.1\r\nHost: " + origin.authority() + "\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII);
            Thread loris = Thread.ofVirtual().name("slow-loris").start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        client.out().write(i < head.length ? head[i] : 'z');
                        client.out().flush();
                        Thread.sleep(200); // the pace of the attack, not a wait for anything
                    }
                } catch (IOException | InterruptedException e) {
                    // wiretap cut the connection (the point of the test), or the test is over
                }
            });
            try {
                RawClient.Response response = client.readResponse();
                assertEquals(408, response.status(), response.head() + response.bodyText());
                assertTrue(response.bodyText().contains("did not arrive within 1 s"), response.bodyText());
                proxy.nextFinishedFlow(); // the tunnel
                assertEquals(FlowError.Kind.CLIENT_TIMEOUT, proxy.nextFinishedFlow().error().orElseThrow().kind());
            } finally {
                loris.interrupt();
                loris.join();
            }
        }
    }

    @Test
    void cutsOffAClientThatStallsMidBodyInsideAnInterceptedTunnel() throws Exception {
        TestOrigin.Handler sink = conn -> conn.in().transferTo(OutputStream.nullOutputStream());
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), sink);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(
                     s.withTimeouts(s.timeouts().withClientRead(SHORT))));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            client.send("POST /upload HTTP/1.1\r\nHost: " + origin.authority() + "\r\nContent-Length: 100\r\n\r\n0123456789");

            RawClient.Response response = client.readResponse();
            assertEquals(408, response.status(), response.head() + response.bodyText());
            assertTrue(response.bodyText().contains("stalled for 1 s"), response.bodyText());
            proxy.nextFinishedFlow(); // the tunnel
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_TIMEOUT, flow.error().orElseThrow().kind(), flow.toString());
        }
    }

    @Test
    void cutsOffAClientWhoseBodyTricklesSlowerThanTheMinimumRateWith408() throws Exception {
        TestOrigin.Handler sink = conn -> conn.in().transferTo(OutputStream.nullOutputStream());
        try (TestOrigin origin = TestOrigin.start(sink);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientBody(SHORT))
                     .withLimits(s.limits().withMinBodyRate(1000)));
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 1000\r\n\r\n");
            // Never silent for long (the read timeout is a minute), but at 10 bytes a second against 1000.
            Thread trickle = Thread.ofVirtual().name("trickle").start(() -> {
                try {
                    for (int i = 0; i < 1000; i++) {
                        client.out().write('x');
                        client.out().flush();
                        Thread.sleep(100); // the pace of the attack, not a wait for anything
                    }
                } catch (IOException | InterruptedException e) {
                    // wiretap cut the connection (the point of the test), or the test is over
                }
            });
            try {
                RawClient.Response response = client.readResponse();
                assertEquals(408, response.status(), response.head() + response.bodyText());
                assertTrue(response.bodyText().contains("the request body came too slowly: it fell 1 s behind 1000 bytes"
                        + " a second"), response.bodyText());
                assertTrue(client.isClosedByPeer());
                Flow flow = proxy.nextFinishedFlow();
                assertEquals(FlowError.Kind.CLIENT_TIMEOUT, flow.error().orElseThrow().kind(), flow.toString());
                assertTrue(flow.error().orElseThrow().message().contains("came too slowly"), flow.toString());
            } finally {
                trickle.interrupt();
                trickle.join();
            }
        }
    }

    @Test
    void aBodyThatWiretapItselfHoldsBackKeepsThePaceForTheClient(@TempDir Path dir) throws Exception {
        // A throttle sends the body on at 32 KiB/s; the client, who sent it all at once, is no slower than the pace asks.
        byte[] upload = new byte[96 * 1024];
        java.util.Arrays.fill(upload, (byte) 'u');
        try (TestOrigin origin = TestOrigin.start(conn -> {
                 String head = conn.readHead();
                 byte[] got = conn.readBody(head);
                 conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + (got.length == upload.length ? "ok" : "no"));
             });
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> TestRules.with(dir, """
                     rules:
                       - name: slow upload
                         match: method:POST
                         throttle: {up: 32k}
                     """).apply(s.withTimeouts(s.timeouts().withClientBody(Duration.ofMillis(500)))
                     .withLimits(s.limits().withMinBodyRate(1024 * 1024))));
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: " + upload.length + "\r\n\r\n");
            client.send(upload);

            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status(), response.head() + response.bodyText());
            assertEquals("ok", response.bodyText(), "the origin got the body whole");
            Flow flow = proxy.nextFinishedFlow();
            assertTrue(flow.error().isEmpty(), flow.toString());
            assertEquals(upload.length, flow.request().body().size());
        }
    }

    @Test
    void closesAKeptAliveConnectionLeftIdle() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientIdle(SHORT)));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals(null, response.header("Connection"), "the connection was meant to stay open");

            assertTrue(client.isClosedByPeer(), "wiretap sent something on an idle connection");
        }
    }

    @Test
    void closesAConnectionThatNeverSendsARequest() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientIdle(SHORT)));
             RawClient client = proxy.rawClient()) {
            assertTrue(client.isClosedByPeer(), "wiretap sent something on an idle connection");
            assertEquals(0, proxy.wiretap().stats().flows(), "an idle connection is no exchange");
        }
    }
}
