package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RandomBody;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Whichever way an exchange goes through a running proxy (answered, failed by the origin, by an addon, by the client,
 * dropped, upgraded, retried), its flow ends once (one Completed or Failed event, the addons' done hook once) and the
 * upstream connection it borrowed goes back to the pool or is closed: once the client's connection is over, the pool
 * has no connection lent out (a connection given back twice would show as fewer than none).
 */
class ExchangeEndsTest {

    /** Counts the done hook per flow; optionally does more at the response head. */
    private static final class Recorder implements Addon {
        final Map<Long, AtomicInteger> done = new ConcurrentHashMap<>();
        final Consumer<Flow> atResponseHead;
        final Consumer<Flow> atResponse;

        Recorder(Consumer<Flow> atResponseHead, Consumer<Flow> atResponse) {
            this.atResponseHead = atResponseHead;
            this.atResponse = atResponse;
        }

        @Override
        public void onResponseHead(Flow flow) {
            atResponseHead.accept(flow);
        }

        @Override
        public void onResponse(Flow flow) {
            atResponse.accept(flow);
        }

        @Override
        public void onDone(Flow flow) {
            done.computeIfAbsent(flow.id(), id -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void answeredRequestsOnAKeptConnectionGiveTheirConnectionBackToThePool() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        try (TestOrigin origin = TestOrigin.fixed("hello"); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                for (int i = 0; i < 3; i++) {
                    client.send(get(origin, "/" + i));
                    assertEquals("hello", client.readResponse().bodyText());
                    assertEquals(0, proxy.wiretap().stats().upstreamLent(), "given back before the response's end left");
                }
            }
            List<Flow> ends = endsOnce(proxy, recorder, 3);
            ends.forEach(f -> assertEquals(Flow.State.COMPLETED, f.state()));
            assertEquals(1, proxy.wiretap().stats().upstreamIdle());
        }
    }

    @Test
    void anOriginThatClosesMidBodyHasItsConnectionClosed() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        TestOrigin.Handler cutShort = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part of it");
        };
        try (TestOrigin origin = TestOrigin.start(cutShort); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/"));
                client.readHead();
                readUntilClosed(client); // the part the origin sent, then wiretap's abort
            }
            Flow flow = endsOnce(proxy, recorder, 1).getFirst();
            assertEquals(FlowError.Kind.UPSTREAM_CLOSED, flow.error().orElseThrow().kind());
            assertEquals(0, proxy.wiretap().stats().upstreamIdle());
        }
    }

    @Test
    void aMalformedResponseHeadIsAnswered502AndItsConnectionClosed() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        TestOrigin.Handler garbage = conn -> {
            conn.readHead();
            conn.write("NOT HTTP AT ALL\r\n\r\n");
            conn.in().read(); // held open: only wiretap's close ends it
        };
        try (TestOrigin origin = TestOrigin.start(garbage); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/"));
                assertEquals(502, client.readResponse().status());
            }
            assertEquals(FlowError.Kind.UPSTREAM_PROTOCOL, endsOnce(proxy, recorder, 1).getFirst().error().orElseThrow().kind());
            awaitOriginEnded(origin, 1);
        }
    }

    @Test
    void anAddonFailingAtTheResponseHeadGets500AndTheConnectionIsClosed() throws Exception {
        Recorder recorder = new Recorder(f -> {
            throw new IllegalStateException("boom");
        }, f -> { });
        try (TestOrigin origin = TestOrigin.fixed("hello"); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/"));
                assertEquals(500, client.readResponse().status());
            }
            assertEquals(FlowError.Kind.INTERNAL, endsOnce(proxy, recorder, 1).getFirst().error().orElseThrow().kind());
            awaitOriginEnded(origin, 1);
        }
    }

    @Test
    void anAddonThatThrowsAnErrorLeavesNoConnectionBehind() throws Exception {
        // Not a RuntimeException: it passes the hooks' 500 and every handler, up to the session's catch ladder.
        Recorder recorder = new Recorder(f -> {
            throw new AssertionError("an addon's bug");
        }, f -> { });
        try (TestOrigin origin = TestOrigin.fixed("hello"); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/"));
                assertTrue(client.isClosedByPeer());
            }
            Flow flow = endsOnce(proxy, recorder, 1).getFirst();
            assertEquals(FlowError.Kind.INTERNAL, flow.error().orElseThrow().kind());
            awaitOriginEnded(origin, 1);
        }
    }

    @Test
    void aHeldResponseDroppedAfterItsConnectionWentBackIsNotGivenBackAgain() throws Exception {
        Recorder recorder = new Recorder(f -> f.hold(Flow.Side.RESPONSE), f -> f.drop("seen enough"));
        try (TestOrigin origin = TestOrigin.fixed("hello"); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/"));
                assertTrue(client.isClosedByPeer());
            }
            assertEquals(FlowError.Kind.DROPPED, endsOnce(proxy, recorder, 1).getFirst().error().orElseThrow().kind());
            assertEquals(1, proxy.wiretap().stats().upstreamIdle(), "the whole response was read: its connection is pooled");
        }
    }

    @Test
    void aClientLeavingMidDownloadHasTheOriginConnectionClosed() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        TestOrigin.Handler endless = conn -> {
            conn.readHead();
            long size = 1L << 30;
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
            new RandomBody(size, 3).writeTo(conn.out(), 64 * 1024);
        };
        try (TestOrigin origin = TestOrigin.start(endless); ProxyUnderTest proxy = start(recorder)) {
            RawClient client = proxy.rawClient();
            client.send(get(origin, "/big"));
            client.readHead();
            client.in().readNBytes(100_000);
            client.socket().setSoLinger(true, 0);
            client.close();
            assertEquals(FlowError.Kind.CLIENT_CLOSED, endsOnce(proxy, recorder, 1).getFirst().error().orElseThrow().kind());
            awaitOriginEnded(origin, 1);
        }
    }

    @Test
    void anUpgradedConnectionIsClosedWhenTheSpliceEnds() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        TestOrigin.Handler echo = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            conn.in().transferTo(conn.out());
        };
        try (TestOrigin origin = TestOrigin.start(echo); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send("GET " + origin.url("/chat") + " HTTP/1.1\r\nHost: " + origin.authority()
                        + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
                client.readHead();
                client.send("ping");
                assertEquals("ping", new String(client.in().readNBytes(4)));
                client.socket().shutdownOutput();
                assertTrue(client.isClosedByPeer());
            }
            assertEquals(Flow.State.COMPLETED, endsOnce(proxy, recorder, 1).getFirst().state());
        }
    }

    @Test
    void aPooledConnectionTheOriginClosedIsGivenBackAndTheRetryIsToo() throws Exception {
        Recorder recorder = new Recorder(f -> { }, f -> { });
        AtomicInteger connections = new AtomicInteger();
        TestOrigin.Handler oncePerConnectionAtFirst = conn -> {
            boolean first = connections.incrementAndGet() == 1;
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                if (first) {
                    return; // closes without saying so: wiretap has pooled the connection by then
                }
            }
        };
        try (TestOrigin origin = TestOrigin.start(oncePerConnectionAtFirst); ProxyUnderTest proxy = start(recorder)) {
            try (RawClient client = proxy.rawClient()) {
                client.send(get(origin, "/1"));
                assertEquals("ok", client.readResponse().bodyText());
                awaitOriginEnded(origin, 1);
                client.send(get(origin, "/2"));
                assertEquals("ok", client.readResponse().bodyText());
            }
            endsOnce(proxy, recorder, 2).forEach(f -> assertEquals(Flow.State.COMPLETED, f.state()));
            assertEquals(2, proxy.wiretap().stats().upstreamOpened());
            assertEquals(1, proxy.wiretap().stats().upstreamIdle());
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static ProxyUnderTest start(Recorder recorder) throws IOException {
        return ProxyUnderTest.start(s -> s, List.of(recorder));
    }

    private static String get(TestOrigin origin, String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }

    /**
     * Waits until the client's connection is over on wiretap's side (its session has ended, so it publishes nothing
     * more) and nothing is lent out; then checks that each of the {@code flows} flows ended exactly once, in events and
     * in the done hook, and returns them in order.
     */
    private static List<Flow> endsOnce(ProxyUnderTest proxy, Recorder recorder, int flows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (proxy.wiretap().stats().clientOpen() > 0 || proxy.wiretap().stats().upstreamLent() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after 10 s: " + proxy.wiretap().stats());
            }
            Thread.sleep(5);
        }
        assertEquals(0, proxy.wiretap().stats().upstreamLent());
        Map<Long, Integer> endEvents = new TreeMap<>();
        Map<Long, Flow> ended = new TreeMap<>();
        for (FlowEvent e : proxy.drainEvents()) {
            if (e instanceof FlowEvent.Completed || e instanceof FlowEvent.Failed) {
                endEvents.merge(e.flow().id(), 1, Integer::sum);
                ended.put(e.flow().id(), e.flow());
            }
        }
        assertEquals(flows, ended.size(), "flows ended: " + ended.values());
        endEvents.forEach((id, n) -> assertEquals(1, n, "end events for flow " + id));
        ended.keySet().forEach(id -> assertEquals(1, recorder.done.get(id).get(), "done hooks for flow " + id));
        return new ArrayList<>(ended.values());
    }

    private static void readUntilClosed(RawClient client) {
        try {
            client.in().transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException reset) {
            // Cut off with a reset: closed all the same.
        }
    }

    private static void awaitOriginEnded(TestOrigin origin, int connections) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (origin.endedCount() < connections) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the origin's connection stayed open");
            }
            Thread.sleep(5);
        }
    }
}
