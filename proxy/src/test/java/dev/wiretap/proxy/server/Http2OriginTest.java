package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.testing.H2Origin;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 towards origins: an origin that picks h2 gets each request as a stream of a connection shared by route, from
 * HTTP/2 clients (h2 to h2) and from HTTP/1.1 ones (absolute-form https URLs asked of the proxy: http/1.1 to h2).
 */
class Http2OriginTest {

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("h2 origin test CA");

    @Test
    void anHttp2ClientReachesAnHttp2OriginStreamForStream() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.h2Client(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/x?y=1")))
                    .header("x-test", "both h2").header("x-want-trailers", "1").POST(HttpRequest.BodyPublishers.ofString("ping"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(200, response.statusCode());
            assertEquals("POST /x?y=1 h2\nping", response.body());
            assertEquals("h2", response.headers().firstValue("x-origin").orElseThrow());

            Headers atOrigin = origin.takeHead();
            assertEquals(":method: POST\r\n:scheme: https\r\n:authority: " + origin.authority() + "\r\n:path: /x?y=1\r\n",
                    atOrigin.toString().substring(0, atOrigin.toString().indexOf(":path: /x?y=1\r\n") + 15));
            assertEquals("both h2", atOrigin.first("x-test").orElseThrow());
            assertEquals("2 wiretap", atOrigin.first("via").orElseThrow());

            proxy.nextFinishedFlow(); // the CONNECT
            Flow post = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, post.state(), post + " " + post.error());
            assertEquals(HttpVersion.HTTP_2, post.request().version());
            assertEquals(HttpVersion.HTTP_2, post.response().orElseThrow().version());
            assertEquals(":status", post.response().orElseThrow().headers().name(0));
            assertTrue(post.clientTls().isPresent(), "the client's TLS is on the flow");
            assertTrue(post.upstreamTls().orElseThrow().protocol().startsWith("TLSv1."), "the origin's TLS is on the flow");
            assertEquals("ping", post.request().body().text(StandardCharsets.UTF_8));
            assertEquals("POST /x?y=1 h2\nping", post.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertEquals("0", post.response().orElseThrow().trailers().orElseThrow().first("grpc-status").orElseThrow());
        }
    }

    /**
     * The shared connection is full (its origin allows one stream at a time): the next request dials a connection of
     * its own that offers h2 too. It used to take the path for idle HTTP/1.1 connections and offer http/1.1 alone,
     * which an origin that speaks only h2 refuses (no_application_protocol, a 502).
     */
    @Test
    void aRequestBeyondAFullSharedConnectionGetsAnotherHttp2Connection() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"),
                dev.wiretap.config.Http2Settings.DEFAULTS.withMaxConcurrentStreams(1), (stream, head) -> {
                    if (Http2Fields.pseudo(head, ":path").equals("/hold")) {
                        holding.countDown();
                        try {
                            release.await(20, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    H2Origin.echo(stream, head);
                });
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.h2Client(proxy)) {
            CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(
                    URI.create(origin.httpsUrl("/hold"))).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(holding.await(20, TimeUnit.SECONDS), "the first request never reached the origin");

            HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/next")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            release.countDown();

            assertEquals(200, next.statusCode(), next.body());
            assertEquals("GET /next h2\n", next.body());
            assertEquals(200, held.get(20, TimeUnit.SECONDS).statusCode());
            assertEquals(2, origin.connectionCount());
        } finally {
            release.countDown();
        }
    }

    @Test
    void anAddonHoldsAndEditsBothMessagesOfAnHttp2Stream() throws Exception {
        Addon editor = new Addon() {
            @Override
            public void onRequestHead(Flow flow) {
                flow.hold(Flow.Side.REQUEST);
                flow.hold(Flow.Side.RESPONSE);
            }

            @Override
            public void onRequest(Flow flow) {
                flow.request().setBody(Body.of("edited request".getBytes(StandardCharsets.UTF_8)));
            }

            @Override
            public void onResponse(Flow flow) {
                var response = flow.response().orElseThrow();
                String body = response.body().text(StandardCharsets.UTF_8);
                response.setBody(Body.of((body + " (edited response)").getBytes(StandardCharsets.UTF_8)));
            }
        };
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception(), List.of(editor));
             HttpClient client = Interception.h2Client(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/edit")))
                    .POST(HttpRequest.BodyPublishers.ofString("original")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("POST /edit h2\nedited request (edited response)", response.body());
            Headers atOrigin = origin.takeHead();
            assertEquals("14", atOrigin.first("content-length").orElseThrow());
        }
    }

    @Test
    void manyStreamsShareOneOriginConnection() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.h2Client(proxy)) {
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/first"))).build(), HttpResponse.BodyHandlers.ofString());
            for (int i = 0; i < 30; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/n" + i)))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < 30; i++) {
                assertEquals("GET /n" + i + " h2\n", all.get(i).join().body());
            }
            assertEquals(1, origin.connectionCount(), "streams should share the origin connection");
            // Each exchange gives its stream back just after the client's stream ended: wait for the last of them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (proxy.wiretap().stats().upstreamLent() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a counter: a wait, not an assertion about time
            }
            assertEquals(0, proxy.wiretap().stats().upstreamLent());
        }
    }

    @Test
    void anHttp11ClientReachesAnHttp2Origin() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient raw = proxy.rawClient()) {
            raw.send("GET " + origin.httpsUrl("/abs") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nCookie: a=1\r\n"
                    + "Connection: keep-alive\r\n\r\n");
            RawClient.Response answer = raw.readResponse();
            assertEquals(200, answer.status(), answer.head());
            assertTrue(answer.head().contains("x-origin: h2"), answer.head());
            assertEquals("GET /abs h2\n", new String(answer.body(), StandardCharsets.UTF_8));
            Headers atOrigin = origin.takeHead();
            assertEquals(origin.authority(), atOrigin.first(":authority").orElseThrow());
            assertEquals("a=1", atOrigin.first("cookie").orElseThrow());
            assertFalse(atOrigin.contains("connection"));
            Flow get = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, get.state(), get + " " + get.error());
            assertEquals(HttpVersion.HTTP_1_1, get.request().version());
            assertEquals(HttpVersion.HTTP_2, get.response().orElseThrow().version());
        }
    }

    /**
     * An h2 origin that never answers a stream: wiretap's wait for the response head ends at upstream_read with a 504,
     * and the shared connection serves the next stream. The stream waits without a timed park; the read watchdog's tick
     * wakes it when its time is up.
     */
    @Test
    void aStreamTheOriginNeverAnswersTimesOutWithA504() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), (stream, head) -> {
                    if (Http2Fields.pseudo(head, ":path").equals("/silent")) {
                        try {
                            release.await(20, TimeUnit.SECONDS); // say nothing until the test ends
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return;
                    }
                    H2Origin.echo(stream, head);
                });
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(
                     s.withTimeouts(s.timeouts().withUpstreamRead(Duration.ofMillis(400)))));
             HttpClient client = Interception.h2Client(proxy)) {
            HttpResponse<String> silent = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/silent")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(504, silent.statusCode(), silent.body());
            assertTrue(silent.body().contains("400 ms"), silent.body());

            HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/next")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, next.statusCode(), next.body());
            assertEquals("GET /next h2\n", next.body());

            proxy.nextFinishedFlow(); // the CONNECT
            Flow timedOut = proxy.nextFinishedFlow();
            assertEquals(Flow.State.FAILED, timedOut.state(), timedOut.toString());
            assertEquals(FlowError.Kind.UPSTREAM_TIMEOUT, timedOut.error().orElseThrow().kind());
        } finally {
            release.countDown();
        }
    }
}
