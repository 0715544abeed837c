package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Settings;
import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.upstream.Dialer;
import dev.wiretap.proxy.upstream.ReservedConnection;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.upstream.UpstreamPool;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.live.FlowPublisher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exchange's own duties, driven directly as a handler would: the flow's single end (published once, the addons'
 * done hook once, what was written counted), the hooks' loop with its 500, and the upstream connection given back once
 * (against a real origin, counted by the pool). End-to-end paths through a running proxy are in
 * {@link ExchangeEndsTest}.
 */
class ExchangeTest {

    private final List<FlowEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> done = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    @Test
    void aFlowEndedTwicePublishesOnceAndTheFirstEndStands() {
        Exchange exchange = exchange(List.of(doneCounter("a")), new Client());

        exchange.complete();
        exchange.fail(new FlowError(FlowError.Kind.INTERNAL, "late"));
        exchange.complete();
        exchange.failUnlessEnded(FlowError.Kind.CLIENT_CLOSED, "client went away");

        assertEquals(List.of("Completed"), ends());
        assertEquals(List.of("a"), done);
        assertEquals(Flow.State.COMPLETED, exchange.flow().state());
        assertTrue(exchange.flow().error().isEmpty());
    }

    @Test
    void aFailedFlowStaysFailed() {
        Exchange exchange = exchange(List.of(doneCounter("a")), new Client());

        assertEquals(Outcome.CLOSE, exchange.failClientGone("client went away"));
        exchange.complete();
        exchange.drop();

        assertEquals(List.of("Failed"), ends());
        assertEquals(List.of("a"), done);
        assertEquals(FlowError.Kind.CLIENT_CLOSED, exchange.flow().error().orElseThrow().kind());
    }

    @Test
    void anErrorAnswerThatCannotBeWrittenStillEndsTheFlowOnce() {
        Client client = new Client();
        client.sendFails = true;
        Exchange exchange = exchange(List.of(doneCounter("a")), client);

        assertThrows(IOException.class, () -> exchange.failWith(502, "origin down", FlowError.Kind.UPSTREAM_CLOSED, false));
        exchange.failUnlessEnded(FlowError.Kind.CLIENT_CLOSED, "client connection failed");

        assertEquals(List.of("Failed"), ends());
        assertEquals(FlowError.Kind.UPSTREAM_CLOSED, exchange.flow().error().orElseThrow().kind());
        assertEquals(List.of("a"), done);
    }

    @Test
    void countsWhatWasWrittenToTheClientSinceTheExchangeBegan() throws IOException {
        Client client = new Client();
        client.write("written for an earlier exchange");
        Exchange exchange = exchange(List.of(), client);

        exchange.sendLocal(LocalResponse.error(404, "nothing here"), false);
        exchange.complete();

        assertEquals(client.text().length() - "written for an earlier exchange".length(), exchange.flow().bytesToClient());
        assertTrue(client.text().endsWith("wiretap: nothing here\n"), client.text());
        assertEquals(List.of("Responded", "Completed"), names(events));
    }

    @Test
    void anErrorAnswerKeepsTheConnectionOnlyWhenNothingIsLeftUnread() throws IOException {
        Client keeping = new Client();
        assertEquals(Outcome.KEEP, exchange(List.of(), keeping).failWith(404, "no", FlowError.Kind.INTERNAL, false));
        assertFalse(keeping.text().contains("Connection: close"), keeping.text());

        Client unread = new Client();
        unread.closing = Outcome.LINGER;
        Exchange lingering = exchange(List.of(), unread);
        assertEquals(Outcome.LINGER, lingering.failWith(400, "bad", FlowError.Kind.CLIENT_PROTOCOL, true));
        assertEquals(Outcome.LINGER, lingering.closing());
        assertTrue(unread.text().contains("Connection: close"), unread.text());

        Client leaving = new Client();
        leaving.carriesOn = false;
        assertEquals(Outcome.CLOSE, exchange(List.of(), leaving).failWith(404, "no", FlowError.Kind.INTERNAL, false));
    }

    @Test
    void anAddonThatThrowsInAHookFailsTheExchangeWithA500NamingIt() throws IOException {
        List<String> heads = new ArrayList<>();
        Addon seeing = new Addon() {
            @Override
            public void onResponseHead(Flow flow) {
                heads.add("seeing");
            }

            @Override
            public void onDone(Flow flow) {
                done.add("seeing");
            }
        };
        Addon broken = new Addon() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void onResponseHead(Flow flow) {
                throw new IllegalStateException("boom");
            }
        };
        Addon after = new Addon() {
            @Override
            public void onResponseHead(Flow flow) {
                heads.add("after");
            }
        };
        Client client = new Client();
        client.closing = Outcome.LINGER;
        Exchange exchange = exchange(List.of(seeing, broken, after), client);

        assertFalse(exchange.runHook(Exchange.Hook.RESPONSE_HEAD, true));

        assertEquals(List.of("seeing"), heads, "the addons after the one that failed do not run");
        assertEquals(Outcome.LINGER, exchange.closing());
        assertTrue(client.text().startsWith("HTTP/1.1 500 "), client.text());
        assertTrue(client.text().contains("addon broken failed: java.lang.IllegalStateException: boom"), client.text());
        assertEquals(FlowError.Kind.INTERNAL, exchange.flow().error().orElseThrow().kind());
        assertEquals(List.of("seeing"), done);
        assertEquals(List.of("Failed"), ends());
    }

    @Test
    void anAddonThatThrowsInItsDoneHookDoesNotStopTheEnd() {
        Addon broken = new Addon() {
            @Override
            public void onDone(Flow flow) {
                throw new IllegalStateException("boom");
            }
        };
        Exchange exchange = exchange(List.of(broken, doneCounter("b")), new Client());

        exchange.complete();

        assertEquals(List.of("b"), done);
        assertEquals(List.of("Completed"), ends());
    }

    @Test
    void aReplayGetsItsFlowWhenTheExchangeEnds() throws Exception {
        CompletableFuture<Flow> result = new CompletableFuture<>();
        Exchange exchange = new Exchange(context(List.of(), null), new Client(), flow(), new ReplayTicket(7, result));

        assertFalse(result.isDone());
        exchange.complete();
        exchange.fail(new FlowError(FlowError.Kind.INTERNAL, "late"));

        assertSame(exchange.flow(), result.get());
        assertEquals(Flow.State.COMPLETED, result.get().state());
    }

    @Test
    void theUpstreamConnectionGoesBackOnceHoweverOftenItIsGivenBack() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool();
        Route route = new Route("http", "127.0.0.1", origin.port(), Optional.empty());

        Exchange released = exchange(pool, new Client());
        UpstreamConnection up = released.borrowUpstream(route, false);
        assertEquals(1, pool.lentCount());
        released.releaseUpstream();
        released.closeUpstream();
        released.releaseUpstream();
        assertEquals(0, pool.lentCount());
        assertEquals(1, pool.idleCount(), "pooled by the first give-back, not closed by the second");
        assertFalse(up.isClosed());

        Exchange closed = exchange(pool, new Client());
        UpstreamConnection again = closed.borrowUpstream(route, false);
        assertSame(up, again, "the pooled connection serves the next exchange");
        closed.closeUpstream();
        closed.releaseUpstream();
        assertEquals(0, pool.lentCount());
        assertEquals(0, pool.idleCount());
        assertTrue(again.isClosed());
    }

    @Test
    void aRetryGivesTheDeadConnectionBackBeforeBorrowingAFreshOne() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool();
        Route route = new Route("http", "127.0.0.1", origin.port(), Optional.empty());
        Exchange exchange = exchange(pool, new Client());

        UpstreamConnection first = exchange.borrowUpstream(route, false);
        UpstreamConnection fresh = exchange.borrowUpstream(route, true);

        assertTrue(first.isClosed());
        assertFalse(fresh.isClosed());
        assertEquals(1, pool.lentCount());
        exchange.closeUpstream();
        assertEquals(0, pool.lentCount());
        assertEquals(2, pool.openedCount());
    }

    @Test
    void aCutOffClosesTheSocketAndTheServingThreadStillGivesItBack() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool();
        Route route = new Route("http", "127.0.0.1", origin.port(), Optional.empty());
        Exchange exchange = exchange(pool, new Client());
        UpstreamConnection up = exchange.borrowUpstream(route, false);

        exchange.cutOff();

        assertTrue(up.socket().isClosed());
        assertEquals(1, pool.lentCount(), "the serving thread gives it back when it sees the closed socket");
        exchange.closeUpstream(); // as the handler does on the I/O error, or the driver when the handler threw
        assertEquals(0, pool.lentCount());
        assertEquals(0, pool.idleCount());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A client side writing to memory, as the HTTP/1 connection writes to its socket. */
    private static final class Client implements Downstream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final HttpOutput out = new HttpOutput(bytes, new BufferPool(4096, 4));
        boolean sendFails;
        boolean carriesOn = true;
        Outcome closing = Outcome.CLOSE;

        void write(String text) {
            try {
                out.writeLatin1(text);
                out.flush();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        String text() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public long bytesWritten() {
            return out.bytesWritten();
        }

        @Override
        public void send(LocalResponse response, LiveFlow flow, boolean close) throws IOException {
            if (sendFails) {
                throw new IOException("Broken pipe");
            }
            response.send(out, flow, close);
        }

        @Override
        public void abort() {
        }

        @Override
        public boolean mayCarryOn(Request request) {
            return carriesOn;
        }

        @Override
        public Outcome closing(Request request) {
            return closing;
        }

        @Override
        public ReservedConnection reserved() {
            return null;
        }

        @Override
        public void closeReserved() {
        }

        @Override
        public String tlsNameFor(Destination destination) {
            return null;
        }
    }

    private Addon doneCounter(String name) {
        return new Addon() {
            @Override
            public void onDone(Flow flow) {
                done.add(name);
            }
        };
    }

    private Exchange exchange(List<Addon> addons, Downstream client) {
        return new Exchange(context(addons, null), client, flow(), null);
    }

    private Exchange exchange(UpstreamPool pool, Downstream client) {
        return new Exchange(context(List.of(), pool), client, flow(), null);
    }

    /** What an exchange uses of the engine: settings, the events, the addons and the pool (the rest is not its). */
    private ServerContext context(List<Addon> addons, UpstreamPool pool) {
        FlowPublisher flowEvents = new FlowPublisher();
        flowEvents.add(events::add);
        return new ServerContext(Settings.defaults(), null, null, null, null, null, pool, null, flowEvents,
                List.copyOf(addons), new AtomicLong(), new SelfAddress(InetAddress.getLoopbackAddress()), null,
                Optional.empty(), "test", dev.wiretap.proxy.flow.CaptureBudget.unlimited(), ClientGate.open());
    }

    private static LiveFlow flow() {
        Request request = new Request("GET", "http://example.test/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        return new LiveFlow(1, new InetSocketAddress("127.0.0.1", 50_000), Instant.now(), System.nanoTime(), request);
    }

    private List<String> ends() {
        return names(events.stream().filter(e -> e instanceof FlowEvent.Completed || e instanceof FlowEvent.Failed).toList());
    }

    private static List<String> names(List<FlowEvent> list) {
        return list.stream().map(e -> e.getClass().getSimpleName()).toList();
    }

    private UpstreamPool pool() throws Exception {
        ReadWatchdog watchdog = new ReadWatchdog();
        toClose.add(watchdog);
        Settings settings = Settings.defaults();
        Dialer dialer = new Dialer(settings.timeouts(), settings.limits(), address -> false,
                SSLContext.getDefault().getSocketFactory(), new BufferPool(16 * 1024, 16));
        UpstreamPool pool = new UpstreamPool(settings.pool(), dialer, new BufferPool(16 * 1024, 16), watchdog,
                Duration.ofSeconds(60), System::nanoTime);
        toClose.add(pool);
        return pool;
    }

    /** An origin that holds each connection open, sending nothing, until wiretap closes it. */
    private TestOrigin holdingOrigin() throws IOException {
        TestOrigin origin = TestOrigin.start(conn -> {
            conn.socket().setSoTimeout(0);
            conn.in().transferTo(OutputStream.nullOutputStream());
        });
        toClose.add(origin);
        return origin;
    }
}
