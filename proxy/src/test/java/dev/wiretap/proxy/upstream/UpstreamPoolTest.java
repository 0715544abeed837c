package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.Limits;
import dev.wiretap.config.PoolSettings;
import dev.wiretap.config.Timeouts;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.live.LiveFlow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pool against real origins on 127.0.0.1, with a clock the test moves: nothing here sleeps.
 */
class UpstreamPoolTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    /** The pool's clock, in nanoseconds; starts far from zero so that no arithmetic relies on it. */
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Semaphore closedByPool = new Semaphore(0);

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    @Test
    void handsOutTheMostRecentlyReleasedConnectionFirst() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);

        UpstreamConnection a = pool.acquire(route, flow());
        UpstreamConnection b = pool.acquire(route, flow());
        assertNotSame(a, b);
        pool.release(a);
        advance(Duration.ofMillis(100));
        pool.release(b);
        assertEquals(2, pool.idleCount());

        assertSame(b, pool.acquire(route, flow()));
        assertSame(a, pool.acquire(route, flow()));
        UpstreamConnection c = pool.acquire(route, flow());
        assertNotSame(a, c);
        assertNotSame(b, c);
        assertEquals(3, pool.openedCount());
        assertEquals(2, pool.reusedCount());
    }

    @Test
    void marksAReusedConnectionAndItsFlow() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route route = routeTo(origin);

        LiveFlow first = flow();
        UpstreamConnection a = pool.acquire(route, first);
        assertFalse(a.isReused());
        assertFalse(first.isReusedUpstream());
        assertEquals("127.0.0.1:" + origin.port(), first.serverAddress());
        pool.release(a);

        LiveFlow second = flow();
        assertSame(a, pool.acquire(route, second));
        assertTrue(a.isReused());
        assertTrue(second.isReusedUpstream());
        assertEquals("127.0.0.1:" + origin.port(), second.serverAddress());
    }

    @Test
    void countsConnectionsOpenedAndReused() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route route = routeTo(origin);
        assertEquals(0, pool.openedCount());
        assertEquals(0, pool.reusedCount());

        for (int i = 0; i < 5; i++) {
            pool.release(pool.acquire(route, flow()));
        }
        UpstreamConnection fresh = pool.open(route, flow()); // never a pooled one, even with one idle
        assertEquals(1, pool.idleCount());
        pool.release(fresh);

        assertEquals(2, pool.openedCount());
        assertEquals(4, pool.reusedCount());
    }

    @Test
    void countsConnectionsLentUntilTheyAreReleasedOrDiscarded() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);

        UpstreamConnection pooled = pool.acquire(route, flow());
        UpstreamConnection fresh = pool.open(route, flow());
        assertEquals(2, pool.lentCount());
        pool.release(pooled);
        assertEquals(1, pool.lentCount());
        pool.discard(fresh);
        assertTrue(fresh.isClosed());
        assertEquals(0, pool.lentCount());

        UpstreamConnection again = pool.acquire(route, flow());
        assertSame(pooled, again);
        assertEquals(1, pool.lentCount(), "a reused connection is lent as a new one is");
        pool.release(again);
        advance(IDLE_TIMEOUT);
        assertEquals(1, pool.evictIdle());
        assertEquals(0, pool.lentCount(), "closing idle connections is not giving lent ones back");
    }

    @Test
    void evictIdleClosesConnectionsIdleForTheIdleTimeout() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);
        UpstreamConnection older = pool.acquire(route, flow());
        UpstreamConnection newer = pool.acquire(route, flow());
        pool.release(older);
        advance(Duration.ofSeconds(10));
        pool.release(newer);

        advance(IDLE_TIMEOUT.minusSeconds(10).minusNanos(1));
        assertEquals(0, pool.evictIdle(), "one nanosecond before the timeout nothing is evicted");
        assertEquals(2, pool.idleCount());

        advance(Duration.ofNanos(1));
        assertEquals(1, pool.evictIdle());
        assertTrue(older.isClosed());
        assertFalse(newer.isClosed());
        assertEquals(1, pool.idleCount());

        advance(Duration.ofSeconds(10));
        assertEquals(1, pool.evictIdle());
        assertTrue(newer.isClosed());
        assertEquals(0, pool.idleCount());
        assertEquals(0, pool.evictIdle());
    }

    @Test
    void acquireDropsAnExpiredConnectionAndOpensANewOne() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        UpstreamConnection b = pool.acquire(route, flow());
        pool.release(a);
        pool.release(b);

        advance(IDLE_TIMEOUT);
        UpstreamConnection c = pool.acquire(route, flow());

        assertNotSame(a, c);
        assertNotSame(b, c);
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertEquals(0, pool.idleCount());
        assertEquals(3, pool.openedCount());
        assertEquals(0, pool.reusedCount());
    }

    @Test
    void keepsAtMostMaxIdlePerRouteAndClosesTheRest() throws Exception {
        TestOrigin origin = holdingOrigin();
        TestOrigin other = holdingOrigin();
        UpstreamPool pool = pool(new PoolSettings(2, 100, IDLE_TIMEOUT));
        Route route = routeTo(origin);
        Route otherRoute = routeTo(other);
        List<UpstreamConnection> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            connections.add(pool.acquire(route, flow()));
        }
        UpstreamConnection onOtherRoute = pool.acquire(otherRoute, flow());

        connections.forEach(pool::release);
        pool.release(onOtherRoute);

        assertEquals(3, pool.idleCount(), "two for the first route, one for the other");
        assertEquals(1, connections.stream().filter(UpstreamConnection::isClosed).count());
        assertFalse(onOtherRoute.isClosed());
    }

    @Test
    void keepsAtMostMaxIdleTotalAcrossRoutesAndClosesTheRest() throws Exception {
        UpstreamPool pool = pool(new PoolSettings(10, 2, IDLE_TIMEOUT));
        List<UpstreamConnection> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            connections.add(pool.acquire(routeTo(holdingOrigin()), flow()));
        }

        connections.forEach(pool::release);

        assertEquals(2, pool.idleCount());
        assertFalse(connections.get(0).isClosed());
        assertFalse(connections.get(1).isClosed());
        assertTrue(connections.get(2).isClosed(), "no room left for the third");
    }

    @Test
    void poolsNothingWhenTheLimitsAreZero() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(new PoolSettings(0, 0, IDLE_TIMEOUT));
        UpstreamConnection a = pool.acquire(routeTo(origin), flow());

        pool.release(a);

        assertTrue(a.isClosed());
        assertEquals(0, pool.idleCount());
        assertNotSame(a, pool.acquire(routeTo(origin), flow()));
    }

    @Test
    void closesAConnectionMarkedNotReusableOnRelease() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        assertTrue(a.isReusable());

        a.markNotReusable();
        pool.release(a);

        assertTrue(a.isClosed());
        assertEquals(0, pool.idleCount());
        assertTrue(closedAtOrigin(1), "the origin sees the connection closed");
        assertNotSame(a, pool.acquire(route, flow()));
    }

    @Test
    void closesAConnectionWithUnreadBytesOnRelease() throws Exception {
        TestOrigin origin = origin(TestOrigin.start(conn -> {
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            holdUntilClosed(conn);
        }));
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        while (a.in().buffered() == 0) {
            a.in().fill(); // as a response parser that read ahead would
        }

        pool.release(a);

        assertTrue(a.isClosed());
        assertEquals(0, pool.idleCount());
        assertNotSame(a, pool.acquire(route, flow()));
    }

    @Test
    void closesAConnectionAlreadyClosedByItsUserOnRelease() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        UpstreamConnection a = pool.acquire(routeTo(origin), flow());

        a.close();
        pool.release(a);

        assertEquals(0, pool.idleCount());
    }

    /** Pairs of routes that must not share connections: the same origin but for one part, or the same but for the proxy. */
    static Stream<Arguments> distinctRoutes() {
        return Stream.of(
                routes("scheme", o -> routeTo(o[0]), o -> new Route("tcp", "127.0.0.1", o[0].port(), Optional.empty())),
                routes("host", o -> routeTo(o[0]), o -> new Route("http", "localhost", o[0].port(), Optional.empty())),
                routes("port", o -> routeTo(o[0]), o -> routeTo(o[1])),
                routes("direct or proxied", o -> routeTo(o[0]), o -> viaProxy(o[0], o[1])),
                routes("proxy", o -> viaProxy(o[0], o[1]), o -> viaProxy(o[0], o[0])));
    }

    private static Arguments routes(String differingIn, Function<TestOrigin[], Route> first, Function<TestOrigin[], Route> second) {
        return Arguments.of(differingIn, first, second);
    }

    /** A route to {@code origin} through {@code proxy} (any listening socket will do: the pool only connects). */
    private static Route viaProxy(TestOrigin origin, TestOrigin proxy) {
        return new Route("http", "127.0.0.1", origin.port(), Optional.of(new UpstreamProxy(new HostPort("127.0.0.1", proxy.port()))));
    }

    @ParameterizedTest(name = "routes differing in {0}")
    @MethodSource("distinctRoutes")
    void neverHandsAConnectionToAnotherRoute(String differingIn, Function<TestOrigin[], Route> makeFirst,
                                             Function<TestOrigin[], Route> makeSecond) throws Exception {
        TestOrigin[] origins = {holdingOrigin(), holdingOrigin()};
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route first = makeFirst.apply(origins);
        Route second = makeSecond.apply(origins);
        UpstreamConnection pooled = pool.acquire(first, flow());
        pool.release(pooled);

        UpstreamConnection forSecond = pool.acquire(second, flow());

        assertNotSame(pooled, forSecond);
        assertEquals(second, forSecond.route());
        assertEquals(1, pool.idleCount(), "the first route's connection is still pooled");
        assertEquals(0, pool.reusedCount());
        assertSame(pooled, pool.acquire(first, flow()));
        pool.release(forSecond);
        assertSame(forSecond, pool.acquire(second, flow()));
    }

    @Test
    void doesNotHandOutAConnectionTheOriginClosedWhileIdle() throws Exception {
        CountDownLatch hangUp = new CountDownLatch(1);
        CountDownLatch hungUp = new CountDownLatch(1);
        AtomicInteger accepted = new AtomicInteger();
        TestOrigin origin = origin(TestOrigin.start(conn -> {
            if (accepted.incrementAndGet() == 1) {
                hangUp.await();
                conn.socket().close();
                hungUp.countDown();
            } else {
                holdUntilClosed(conn);
            }
        }));
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        pool.release(a);
        hangUp.countDown();
        assertTrue(hungUp.await(10, TimeUnit.SECONDS));

        advance(Duration.ofMillis(1500)); // idle for over a second: the pool probes before handing it out
        UpstreamConnection b = pool.acquire(route, flow());

        assertNotSame(a, b);
        assertTrue(a.isClosed());
        assertFalse(b.isClosed());
        assertEquals(2, pool.openedCount());
        assertEquals(0, pool.reusedCount());
        assertEquals(0, pool.idleCount());
    }

    @Test
    void doesNotHandOutAConnectionOnWhichTheOriginSentUnaskedBytes() throws Exception {
        CountDownLatch speak = new CountDownLatch(1);
        CountDownLatch spoke = new CountDownLatch(1);
        AtomicInteger accepted = new AtomicInteger();
        TestOrigin origin = origin(TestOrigin.start(conn -> {
            if (accepted.incrementAndGet() == 1) {
                speak.await();
                conn.write("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
                spoke.countDown();
            }
            holdUntilClosed(conn);
        }));
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        pool.release(a);
        speak.countDown();
        assertTrue(spoke.await(10, TimeUnit.SECONDS));

        advance(Duration.ofSeconds(2));
        UpstreamConnection b = pool.acquire(route, flow());

        assertNotSame(a, b);
        assertTrue(a.isClosed());
    }

    @Test
    void reusesALiveConnectionAfterProbingIt() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS.withIdleTimeout(IDLE_TIMEOUT));
        Route route = routeTo(origin);
        UpstreamConnection a = pool.acquire(route, flow());
        pool.release(a);

        advance(Duration.ofSeconds(20));
        assertSame(a, pool.acquire(route, flow()));
        assertEquals(1, pool.reusedCount());
    }

    @Test
    void closeClosesIdleConnectionsAndThoseReleasedAfterwards() throws Exception {
        TestOrigin origin = holdingOrigin();
        UpstreamPool pool = pool(PoolSettings.DEFAULTS);
        Route route = routeTo(origin);
        UpstreamConnection idle1 = pool.acquire(route, flow());
        UpstreamConnection idle2 = pool.acquire(route, flow());
        UpstreamConnection busy = pool.acquire(route, flow());
        pool.release(idle1);
        pool.release(idle2);

        pool.close();

        assertTrue(idle1.isClosed());
        assertTrue(idle2.isClosed());
        assertFalse(busy.isClosed(), "a connection in use is left to its exchange");
        assertEquals(0, pool.idleCount());
        assertTrue(closedAtOrigin(2));

        pool.release(busy);
        assertTrue(busy.isClosed());
        assertEquals(0, pool.idleCount());
    }

    // ---------------------------------------------------------------------------------------------------------

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private UpstreamPool pool(PoolSettings settings) {
        ReadWatchdog watchdog = new ReadWatchdog();
        toClose.add(watchdog);
        UpstreamPool pool = new UpstreamPool(settings, dialer(), new BufferPool(16 * 1024, 16), watchdog,
                Duration.ofSeconds(60), nanos::get);
        toClose.add(pool);
        return pool;
    }

    static Dialer dialer() {
        try {
            return new Dialer(Timeouts.DEFAULTS.withUpstreamConnect(Duration.ofSeconds(10)), Limits.DEFAULTS,
                    address -> false, SSLContext.getDefault().getSocketFactory(), new BufferPool(16 * 1024, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestOrigin origin(TestOrigin origin) {
        toClose.add(origin);
        return origin;
    }

    /** An origin that keeps every connection open, reading and dropping bytes, until the pool closes it. */
    private TestOrigin holdingOrigin() throws IOException {
        return origin(TestOrigin.start(this::holdUntilClosed));
    }

    private void holdUntilClosed(TestOrigin.Conn conn) throws IOException {
        conn.socket().setSoTimeout(0);
        try {
            while (conn.in().read() >= 0) {
                // dropped: these tests send nothing
            }
        } finally {
            closedByPool.release();
        }
    }

    /** True once origins have seen {@code n} connections closed by the pool, waiting up to 10 s. */
    private boolean closedAtOrigin(int n) throws InterruptedException {
        return closedByPool.tryAcquire(n, 10, TimeUnit.SECONDS);
    }

    static Route routeTo(TestOrigin origin) {
        return new Route("http", "127.0.0.1", origin.port(), Optional.empty());
    }

    static LiveFlow flow() {
        Request request = new Request("GET", "/", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        return new LiveFlow(1, new InetSocketAddress("127.0.0.1", 50_000), Instant.now(), System.nanoTime(), request);
    }
}
