package dev.wiretap.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Http2Settings;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.testing.H2Origin;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap's defences on a client's HTTP/2 connection, each against the attack it answers, with a client that writes
 * frames by hand: rapid reset (CVE-2023-44487), CONTINUATION floods (CVE-2024-27316), HPACK bombs, SETTINGS and PING
 * floods, zero-window stalls, the concurrent stream limit; and the protocol's own ends: a client's cancel reaching the
 * origin, GOAWAY on stop letting a stream in flight finish.
 */
class Http2DefenceTest {

    @TempDir
    static Path dir;
    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("h2 defence test CA");

    private static ProxyUnderTest proxy(UnaryOperator<Http2Settings> limits) throws Exception {
        return ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s).withHttp2(limits.apply(s.http2())));
    }

    @Test
    void rapidResetClosesTheConnection() throws Exception {
        AtomicInteger served = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), (stream, head) -> {
                 served.incrementAndGet();
                 try {
                     done.await(10, TimeUnit.SECONDS); // no answer: every reset below is of a stream still being served
                 } catch (InterruptedException e) {
                     Thread.currentThread().interrupt();
                 }
             });
             ProxyUnderTest proxy = proxy(h -> h.withMaxResetsPerSecond(1));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            Headers get = client.request("GET", "/");
            for (int id = 1; id <= 2 * 11 - 1; id += 2) { // 11 resets: one over the budget of 10 in ten seconds
                client.headers(id, get, true);
                client.frame(Frame.RST_STREAM, 0, id, RawH2Client.int32(ErrorCode.CANCEL.code()));
            }
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
            assertTrue(served.get() <= 11, served.get() + " requests reached the origin");
        } finally {
            done.countDown();
        }
    }

    @Test
    void streamsCancelledAfterTheirAnswerAreNoRapidReset() throws Exception {
        // Go's client reads a body up to its Content-Length and cancels the stream if END_STREAM has not come yet;
        // browsers cancel downloads. hey -h2 through wiretap lost its connection every two seconds to this defence.
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withMaxResetsPerSecond(1));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            Headers get = client.request("GET", "/");
            for (int id = 1; id <= 2 * 30 - 1; id += 2) { // 30 cancels, three times the budget of 10 in ten seconds
                client.headers(id, get, true);
                Frame head = client.until(Frame.HEADERS);
                assertNotNull(head, "no answer to stream " + id);
                assertEquals(id, head.streamId());
                client.frame(Frame.RST_STREAM, 0, id, RawH2Client.int32(ErrorCode.CANCEL.code()));
            }
            client.frame(Frame.PING, 0, 0, new byte[8]);
            Frame f;
            while ((f = client.next()) != null && !(f.type() == Frame.PING && f.has(Frame.FLAG_ACK))) {
                assertTrue(f.type() != Frame.GOAWAY, "wiretap ended the connection: GOAWAY " + ErrorCode.of(RawH2Client.readInt(f.payload(), 4)));
            }
            assertNotNull(f, "the connection ended");
        }
    }

    @Test
    void aContinuationFloodEndsAtTheHeaderListLimit() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withMaxHeaderListBytes(16 * 1024));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            byte[] start = client.encode(client.request("GET", "/"));
            client.frame(Frame.HEADERS, Frame.FLAG_END_STREAM, 1, start); // no END_HEADERS: CONTINUATION follows
            byte[] junk = new byte[1024];
            java.util.Arrays.fill(junk, (byte) 0x40); // a literal with a name length that never ends: never decoded
            for (int i = 0; i < 17; i++) { // 17 KiB, over the 16 KiB limit, and not one frame more
                client.frame(Frame.CONTINUATION, 0, 1, junk);
            }
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
        }
    }

    @Test
    void emptyContinuationFramesCountAsAFlood() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withMaxControlFramesPerSecond(10));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            client.frame(Frame.HEADERS, Frame.FLAG_END_STREAM, 1, client.encode(client.request("GET", "/")));
            for (int i = 0; i < 101; i++) {
                client.frame(Frame.CONTINUATION, 0, 1, new byte[0]);
            }
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
        }
    }

    @Test
    void anHpackBombIsRefusedBeforeItIsExpanded() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h);
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            ByteArrayOutputStream bomb = new ByteArrayOutputStream();
            bomb.write(client.encode(client.request("GET", "/", "x-bomb", "y".repeat(4000))));
            for (int i = 0; i < 12_000; i++) {
                bomb.write(0xbe); // the 4 KB field again: 12 KB that would decode to 48 MB
            }
            client.frame(Frame.HEADERS, Frame.FLAG_END_STREAM | Frame.FLAG_END_HEADERS, 1, bomb.toByteArray());
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
        }
    }

    @Test
    void aSettingsFloodIsCutOff() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withMaxControlFramesPerSecond(10));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            for (int i = 0; i < 100; i++) { // with the one sent first: 101, over the 100 allowed in ten seconds
                client.frame(Frame.SETTINGS, 0, 0, new byte[0]);
            }
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
        }
    }

    @Test
    void aPingFloodIsCutOff() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withMaxControlFramesPerSecond(10));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            for (int i = 0; i < 101; i++) {
                client.frame(Frame.PING, 0, 0, new byte[8]);
            }
            assertEquals(ErrorCode.ENHANCE_YOUR_CALM, client.goAwayCode());
        }
    }

    @Test
    void aClientThatKeepsItsWindowShutHasTheStreamReset() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = proxy(h -> h.withStallTimeout(Duration.ofMillis(500)));
             RawH2Client client = RawH2Client.open(proxy, origin.authority(), Frame.SETTINGS_INITIAL_WINDOW_SIZE, 0)) {
            client.headers(1, client.request("GET", "/stalled"), true);
            Frame reset = client.until(Frame.RST_STREAM);
            assertNotNull(reset, "the stream was never reset");
            assertEquals(1, reset.streamId());
            assertEquals(ErrorCode.CANCEL, ErrorCode.of(RawH2Client.readInt(reset.payload(), 0)));
            proxy.nextFinishedFlow(); // the CONNECT
            Flow stalled = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_CLOSED, stalled.error().orElseThrow().kind(), stalled.error().toString());
            assertTrue(stalled.error().orElseThrow().message().contains("window"), stalled.error().toString());
        }
    }

    @Test
    void aStreamWhoseBodyFallsBehindThePaceIsAnswered408() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), H2Origin::echo);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s)
                     .withTimeouts(s.timeouts().withClientBody(Duration.ofSeconds(1))));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            client.headers(1, client.request("POST", "/upload", "content-length", "100000"), false);
            client.frame(Frame.DATA, 0, 1, new byte[] {'x'}); // one byte of a hundred thousand, then nothing

            Frame head = client.until(Frame.HEADERS);
            assertNotNull(head, "no answer on the stream");
            Headers fields = client.decoder.decode(head.payload(), 1).fields();
            assertEquals("408", fields.first(":status").orElseThrow(), fields.toString());
            proxy.nextFinishedFlow(); // the CONNECT
            Flow slow = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_TIMEOUT, slow.error().orElseThrow().kind(), slow.toString());
            assertTrue(slow.error().orElseThrow().message().contains("came too slowly"), slow.toString());
        }
    }

    @Test
    void aStreamARuleAnswersWhoseBodyFallsBehindThePaceIsAnswered408Too() throws Exception {
        // The rule's answer waits for the body (it is recorded on the flow): wiretap reads it itself, at the same pace.
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> dev.wiretap.proxy.testing.TestRules.with(dir, """
                     rules:
                       - match: path:/mocked
                         respond: {status: 201, body: made here}
                     """).apply(ORIGIN_CA.interception().apply(s).withTimeouts(s.timeouts().withClientBody(Duration.ofSeconds(1)))));
             RawH2Client client = RawH2Client.open(proxy, "mocked.example:443")) {
            client.headers(1, client.request("POST", "/mocked", "content-length", "100000"), false);
            client.frame(Frame.DATA, 0, 1, new byte[] {'x'});

            Frame head = client.until(Frame.HEADERS);
            assertNotNull(head, "no answer on the stream");
            assertEquals("408", client.decoder.decode(head.payload(), 1).fields().first(":status").orElseThrow());
            proxy.nextFinishedFlow(); // the CONNECT
            Flow slow = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_TIMEOUT, slow.error().orElseThrow().kind(), slow.toString());
        }
    }

    @Test
    void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch twoIn = new CountDownLatch(2);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), (stream, head) -> {
                 twoIn.countDown();
                 await(release);
                 H2Origin.echo(stream, head);
             });
             ProxyUnderTest proxy = proxy(h -> h.withMaxConcurrentStreams(2));
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            client.headers(1, client.request("GET", "/a"), true);
            client.headers(3, client.request("GET", "/b"), true);
            assertTrue(twoIn.await(20, TimeUnit.SECONDS), () -> "the origin saw " + (2 - twoIn.getCount())
                    + " of the two requests on " + origin.connectionCount() + " connection(s); the proxy's events: "
                    + proxy.drainEvents().stream().map(e -> e + " " + e.flow().error().map(Object::toString).orElse("")).toList());
            client.headers(5, client.request("GET", "/c"), true);
            Frame refused = client.until(Frame.RST_STREAM);
            assertEquals(5, refused.streamId());
            assertEquals(ErrorCode.REFUSED_STREAM, ErrorCode.of(RawH2Client.readInt(refused.payload(), 0)));
            release.countDown();
        }
    }

    @Test
    void aClientsCancelResetsTheOriginsStream() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch resetSeen = new CountDownLatch(1);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), (stream, head) -> {
                 arrived.countDown();
                 long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                 while (!stream.isReset() && System.nanoTime() < deadline) {
                     sleep(10);
                 }
                 if (stream.isReset()) {
                     resetSeen.countDown();
                 }
             });
             ProxyUnderTest proxy = proxy(h -> h);
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            client.headers(1, client.request("GET", "/slow"), true);
            assertTrue(arrived.await(20, TimeUnit.SECONDS));
            client.frame(Frame.RST_STREAM, 0, 1, RawH2Client.int32(ErrorCode.CANCEL.code()));
            assertTrue(resetSeen.await(20, TimeUnit.SECONDS), "the origin's stream was not reset");
            proxy.nextFinishedFlow(); // the CONNECT
            Flow cancelled = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.CLIENT_CLOSED, cancelled.error().orElseThrow().kind(), cancelled.error().toString());
        }
    }

    @Test
    void onStopAGoAwayLetsTheStreamInFlightFinish() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch arrived = new CountDownLatch(1);
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"), (stream, head) -> {
                 arrived.countDown();
                 await(release);
                 H2Origin.echo(stream, head);
             });
             ProxyUnderTest proxy = proxy(h -> h);
             RawH2Client client = RawH2Client.open(proxy, origin.authority())) {
            client.headers(1, client.request("GET", "/in-flight"), true);
            assertTrue(arrived.await(20, TimeUnit.SECONDS));
            Thread stopper = Thread.ofVirtual().start(() -> proxy.wiretap().stop(Duration.ofSeconds(20)));
            Frame goAway = client.until(Frame.GOAWAY);
            assertNotNull(goAway);
            assertEquals(ErrorCode.NO_ERROR, ErrorCode.of(RawH2Client.readInt(goAway.payload(), 4)));
            assertEquals(1, RawH2Client.readInt(goAway.payload(), 0), "the last stream taken");
            release.countDown();
            Frame f;
            boolean ended = false;
            while ((f = client.next()) != null && !ended) {
                ended = f.streamId() == 1 && f.type() == Frame.DATA && f.has(Frame.FLAG_END_STREAM);
            }
            assertTrue(ended, "the stream in flight did not finish");
            stopper.join(20_000);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
