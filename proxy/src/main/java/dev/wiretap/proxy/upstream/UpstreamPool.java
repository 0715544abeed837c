package dev.wiretap.proxy.upstream;

import dev.wiretap.config.Http2Settings;
import dev.wiretap.config.PoolSettings;
import dev.wiretap.proxy.http2.Http2Connection;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keeps idle origin connections per {@link Route} for reuse (keep-alive on wiretap's upstream side). Bounded per
 * route and in total; a connection idle longer than the idle timeout is closed, lazily on lookup and by
 * {@link #evictIdle()}, which the engine calls periodically. The most recently used connection is handed out
 * first (it is the least likely to have been closed by the origin), and one idle for over a second is probed
 * before use. Counts connections opened and reused, and those lent out now: each one handed out by {@code acquire} or
 * {@code open} comes back once, through {@link #release} or {@link #discard}. A connection opened at an intercepted
 * CONNECT is never pooled idle: it stays with its tunnel ({@link ReservedConnection}) and joins the pool only after its
 * first exchange.
 *
 * <p>HTTP/2 connections are kept apart, per route, while they are open: each is shared by as many streams as its origin
 * allows at once, and lent a stream at a time ({@link OriginStream}); a request that may go over HTTP/2 takes a stream
 * of one before anything else, and the first such request for a route dials (offering {@code h2}) while the others
 * for that route wait for it rather than each dial a connection of their own.
 *
 * <p>Thread-safe: the lock guards the idle lists and the idle count; no I/O happens while it is held. Time comes
 * from the given clock, so tests can move it.
 */
public final class UpstreamPool implements AutoCloseable {

    /** Connections idle for longer than this are probed for a close by the origin before they are reused. */
    private static final long PROBE_AFTER_NANOS = 1_000_000_000L;

    private final PoolSettings settings;
    private final Dialer dialer;
    private final BufferPool writeBuffers;
    private final ReadWatchdog watchdog;
    private final long readTimeoutNanos;
    private final LongSupplier nanoClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Route, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private final Map<Route, List<OriginHttp2>> shared = new HashMap<>();
    /** Routes an HTTP/2-capable dial is under way for: the requests that come meanwhile wait for it. */
    private final Map<Route, CountDownLatch> dialing = new HashMap<>();
    private final Http2Settings http2;
    private int idleCount;
    private boolean closed;
    private final LongAdder opened = new LongAdder();
    private final LongAdder reused = new LongAdder();
    /** Connections handed out and not yet given back: up on lending, down on release or discard. */
    private final LongAdder lent = new LongAdder();
    /** Connections opened at an intercepted CONNECT for its tunnel's first request, and those a request then used. */
    private final LongAdder reservedOpened = new LongAdder();
    private final LongAdder reservedUsed = new LongAdder();

    /**
     * @param watchdog         bounds reads on the connections
     * @param readTimeout      longest wait for an origin on any read
     * @param nanoClock        the time, in {@link System#nanoTime()} terms (tests pass their own)
     */
    public UpstreamPool(PoolSettings settings, Dialer dialer, BufferPool writeBuffers, ReadWatchdog watchdog,
                        java.time.Duration readTimeout, LongSupplier nanoClock) {
        this(settings, Http2Settings.DEFAULTS, dialer, writeBuffers, watchdog, readTimeout, nanoClock);
    }

    /** @param http2 the windows and limits of HTTP/2 connections to origins */
    public UpstreamPool(PoolSettings settings, Http2Settings http2, Dialer dialer, BufferPool writeBuffers,
                        ReadWatchdog watchdog, java.time.Duration readTimeout, LongSupplier nanoClock) {
        this.http2 = http2;
        this.settings = settings;
        this.dialer = dialer;
        this.writeBuffers = writeBuffers;
        this.watchdog = watchdog;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** An idle connection for {@code route} if a live one is pooled, else a new one. Records the flow's upstream. */
    public UpstreamConnection acquire(Route route, LiveFlow flow) throws IOException {
        UpstreamConnection c = reuseIdle(route, flow);
        return c != null ? c : open(route, flow);
    }

    /** A live idle HTTP/1.1 connection for {@code route}, lent to {@code flow}; null when none is pooled. */
    private UpstreamConnection reuseIdle(Route route, LiveFlow flow) {
        while (true) {
            UpstreamConnection c = takeIdle(route);
            if (c == null) {
                return null;
            }
            if (nanoClock.getAsLong() - c.idleSinceNanos() > PROBE_AFTER_NANOS && !c.looksAlive()) {
                c.close();
                continue;
            }
            reused.increment();
            lent.increment();
            c.beginExchange();
            flow.setUpstream(c.remoteAddress(), true, c.tls());
            return c;
        }
    }

    /**
     * As {@link #acquire(Route, LiveFlow)}, but first the connection {@code reserved} for the flow's tunnel (null: none) if
     * it is for {@code route}: its handshake awaited, its phases (made before the request) recorded on the flow as
     * the phases of the connection the flow opened. A reserved connection for another route is closed.
     */
    public UpstreamConnection acquire(Route route, LiveFlow flow, ReservedConnection reserved) throws IOException {
        ReservedConnection.Taken taken = reserved == null ? null : reserved.take(route);
        if (taken != null && Dialer.isHttp2(taken.socket())) {
            Dialer.closeQuietly(taken.socket()); // HTTP/2 with the origin, for a request that must go over HTTP/1.1
            taken = null;
        }
        if (taken == null) {
            return acquire(route, flow);
        }
        reservedUsed.increment();
        UpstreamConnection c = wrap(route, taken.socket());
        if (nanoClock.getAsLong() - taken.readySinceNanos() > PROBE_AFTER_NANOS && !c.looksAlive()) {
            c.close(); // the origin gave up on it while the client took its time
            return acquire(route, flow);
        }
        flow.setDnsNanos(taken.dnsNanos());
        flow.setConnectNanos(taken.connectNanos());
        flow.setSslNanos(taken.sslNanos());
        return opened(c, flow);
    }

    /**
     * A lease for {@code route}: with {@code mayUseH2}, a stream of a shared HTTP/2 connection if one has room; else the
     * connection {@code reserved} for the tunnel, a pooled HTTP/1.1 connection, or a new connection (offering {@code h2}
     * too when {@code mayUseH2}: an origin that picks it gets its connection shared from then on).
     */
    public UpstreamLease acquire(Route route, LiveFlow flow, ReservedConnection reserved, boolean mayUseH2) throws IOException {
        if (!mayUseH2 || !route.isTls() || !http2.enabled()) {
            return acquire(route, flow, reserved);
        }
        OriginStream stream = takeStreamOrWait(route, flow);
        if (stream != null) {
            return stream;
        }
        ReservedConnection.Taken taken = reserved == null ? null : reserved.take(route);
        if (taken != null) {
            reservedUsed.increment();
            flow.setDnsNanos(taken.dnsNanos());
            flow.setConnectNanos(taken.connectNanos());
            flow.setSslNanos(taken.sslNanos());
            return leaseOn(route, taken.socket(), flow);
        }
        // A shared connection may have come up meanwhile (another stream's dial, or the reserved one); else an idle
        // HTTP/1.1 one (probed if idle long); else a new one, offering h2: never one offering HTTP/1.1 alone.
        OriginStream late = takeStream(route, flow);
        if (late != null) {
            return late;
        }
        UpstreamConnection idleOne = reuseIdle(route, flow);
        return idleOne != null ? idleOne : open(route, flow, true);
    }

    /**
     * A new connection for {@code route} (never a pooled one), offering {@code h2} when {@code mayUseH2}; while it is
     * dialed, other requests for the route that may use HTTP/2 wait for it.
     */
    public UpstreamLease open(Route route, LiveFlow flow, boolean mayUseH2) throws IOException {
        if (!mayUseH2 || !route.isTls() || !http2.enabled()) {
            return open(route, flow);
        }
        CountDownLatch done = new CountDownLatch(1);
        lock.lock();
        try {
            dialing.putIfAbsent(route, done);
        } finally {
            lock.unlock();
        }
        try {
            return leaseOn(route, dialer.dial(route, flow, true), flow);
        } finally {
            lock.lock();
            try {
                dialing.remove(route, done);
            } finally {
                lock.unlock();
            }
            done.countDown();
        }
    }

    /** The lease a new socket makes: a stream of it as a new shared HTTP/2 connection, or the connection itself. */
    private UpstreamLease leaseOn(Route route, Socket socket, LiveFlow flow) throws IOException {
        if (!Dialer.isHttp2(socket)) {
            return opened(wrap(route, socket), flow);
        }
        String remote = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        Http2Connection connection;
        try {
            connection = Http2Connection.client(socket, http2, remote, watchdog);
        } catch (IOException e) {
            Dialer.closeQuietly(socket);
            throw e;
        }
        TlsHandshake tls = socket instanceof javax.net.ssl.SSLSocket secure ? TlsHandshake.of(secure) : null;
        OriginHttp2 origin = new OriginHttp2(route, connection, remote, tls, nanoClock.getAsLong());
        origin.tryReserve();
        origin.markUsed();
        lock.lock();
        try {
            if (closed) {
                origin.close();
                throw new IOException("wiretap is stopping");
            }
            shared.computeIfAbsent(route, r -> new ArrayList<>()).add(origin);
        } finally {
            lock.unlock();
        }
        connection.onClosed(() -> forget(origin));
        opened.increment();
        lent.increment();
        flow.setUpstream(remote, false, tls);
        return new OriginStream(origin, false);
    }

    /** A stream of a shared connection for {@code route}; or, while one is being dialed for it, that one's after it. */
    private OriginStream takeStreamOrWait(Route route, LiveFlow flow) {
        OriginStream s = takeStream(route, flow);
        if (s != null) {
            return s;
        }
        CountDownLatch pending;
        lock.lock();
        try {
            pending = dialing.get(route);
        } finally {
            lock.unlock();
        }
        if (pending == null) {
            return null;
        }
        try {
            pending.await(readTimeoutNanos, TimeUnit.NANOSECONDS); // bounded: a dial has its own timeouts
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return takeStream(route, flow);
    }

    private OriginStream takeStream(Route route, LiveFlow flow) {
        OriginHttp2 found = null;
        lock.lock();
        try {
            List<OriginHttp2> list = shared.get(route);
            if (list != null) {
                for (OriginHttp2 o : list) {
                    if (o.tryReserve()) {
                        found = o;
                        break;
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (found == null) {
            return null;
        }
        boolean reuse = found.markUsed();
        if (reuse) {
            reused.increment();
        }
        lent.increment();
        flow.setUpstream(found.remoteAddress(), reuse, found.tls());
        return new OriginStream(found, reuse);
    }

    private void forget(OriginHttp2 origin) {
        lock.lock();
        try {
            List<OriginHttp2> list = shared.get(origin.route());
            if (list != null) {
                list.remove(origin);
                if (list.isEmpty()) {
                    shared.remove(origin.route());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Gives a lease back: a connection as {@link #release(UpstreamConnection)}, a stream finished and its place freed. */
    public void release(UpstreamLease lease) {
        switch (lease) {
            case UpstreamConnection c -> release(c);
            case OriginStream s -> {
                lent.decrement();
                s.finish(nanoClock.getAsLong(), false);
            }
        }
    }

    /** Gives a lease back to be closed: a connection closed, a stream reset (its connection stays for the others). */
    public void discard(UpstreamLease lease) {
        switch (lease) {
            case UpstreamConnection c -> discard(c);
            case OriginStream s -> {
                lent.decrement();
                s.finish(nanoClock.getAsLong(), true);
            }
        }
    }

    /** HTTP/2 connections to origins open now. */
    public int http2Count() {
        lock.lock();
        try {
            return shared.values().stream().mapToInt(List::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether an idle connection for {@code route} is pooled now (it then serves the next request), or an HTTP/2 one
     * that is open to new streams.
     */
    public boolean hasIdle(Route route) {
        lock.lock();
        try {
            ArrayDeque<UpstreamConnection> list = idle.get(route);
            List<OriginHttp2> h2 = shared.get(route);
            if (h2 != null && h2.stream().anyMatch(OriginHttp2::isUsable)) {
                return true;
            }
            return list != null && !list.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** A new connection for {@code route}, never a pooled one (used to retry after a pooled one turned out dead). */
    public UpstreamConnection open(Route route, LiveFlow flow) throws IOException {
        return opened(wrap(route, dialer.dial(route, flow)), flow);
    }

    private UpstreamConnection wrap(Route route, Socket socket) throws IOException {
        try {
            return new UpstreamConnection(route, socket, writeBuffers, watchdog, readTimeoutNanos);
        } catch (IOException e) {
            Dialer.closeQuietly(socket);
            throw e;
        }
    }

    /** Counts a new connection and starts its first exchange, for {@code flow}. */
    private UpstreamConnection opened(UpstreamConnection c, LiveFlow flow) {
        opened.increment();
        lent.increment();
        c.beginExchange();
        flow.setUpstream(c.remoteAddress(), false, c.tls());
        return c;
    }

    /**
     * Gives a lent connection back after an exchange: pooled if reusable, with nothing left unread on it, and there is
     * room; else closed.
     */
    public void release(UpstreamConnection c) {
        lent.decrement();
        if (!c.isReusable() || c.in().buffered() > 0) {
            // Bytes already read past the end of the response were sent unasked: the framing is in doubt, and on
            // reuse they would be taken for the answer to the next request, perhaps another client's.
            c.close();
            return;
        }
        c.markIdle(nanoClock.getAsLong());
        boolean pooled = false;
        lock.lock();
        try {
            if (!closed && idleCount < settings.maxIdleTotal()) {
                ArrayDeque<UpstreamConnection> list = idle.computeIfAbsent(c.route(), r -> new ArrayDeque<>());
                if (list.size() < settings.maxIdlePerRoute()) {
                    list.addLast(c);
                    idleCount++;
                    pooled = true;
                }
            }
        } finally {
            lock.unlock();
        }
        if (!pooled) {
            c.close();
        }
    }

    /** Gives a lent connection back to be closed: its exchange failed, or its framing is in doubt. */
    public void discard(UpstreamConnection c) {
        lent.decrement();
        c.close();
    }

    /** Closes connections idle for longer than the idle timeout; returns how many. */
    public int evictIdle() {
        long now = nanoClock.getAsLong();
        long timeout = settings.idleTimeout().toNanos();
        List<UpstreamConnection> expired = new ArrayList<>();
        List<OriginHttp2> idleHttp2 = new ArrayList<>();
        lock.lock();
        try {
            Iterator<ArrayDeque<UpstreamConnection>> lists = idle.values().iterator();
            while (lists.hasNext()) {
                ArrayDeque<UpstreamConnection> list = lists.next();
                while (!list.isEmpty() && now - list.peekFirst().idleSinceNanos() >= timeout) {
                    expired.add(list.pollFirst());
                    idleCount--;
                }
                if (list.isEmpty()) {
                    lists.remove();
                }
            }
            for (List<OriginHttp2> list : shared.values()) {
                for (OriginHttp2 o : list) {
                    if (o.isIdle() && now - o.idleSinceNanos() >= timeout) {
                        idleHttp2.add(o);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        expired.forEach(UpstreamConnection::close);
        idleHttp2.forEach(OriginHttp2::close); // each forgets itself as it closes
        return expired.size() + idleHttp2.size();
    }

    private UpstreamConnection takeIdle(Route route) {
        long now = nanoClock.getAsLong();
        long timeout = settings.idleTimeout().toNanos();
        List<UpstreamConnection> expired = null;
        UpstreamConnection found = null;
        lock.lock();
        try {
            ArrayDeque<UpstreamConnection> list = idle.get(route);
            while (list != null && !list.isEmpty()) {
                UpstreamConnection c = list.pollLast();
                idleCount--;
                if (now - c.idleSinceNanos() >= timeout) {
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(c);
                } else {
                    found = c;
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
        if (expired != null) {
            expired.forEach(UpstreamConnection::close);
        }
        return found;
    }

    /** Connections opened to origins (or the upstream proxy) since start. */
    public long openedCount() {
        return opened.sum();
    }

    /** Exchanges served on a pooled connection instead of a new one. */
    public long reusedCount() {
        return reused.sum();
    }

    /** Counts a connection opened at an intercepted CONNECT and kept for its tunnel's first request. */
    public void countReserved() {
        reservedOpened.increment();
    }

    /** Connections opened at intercepted CONNECTs for their tunnels' first requests, since start. */
    public long reservedOpenedCount() {
        return reservedOpened.sum();
    }

    /** Of those, the ones a request used (the others were closed unused: the request went elsewhere, or never came). */
    public long reservedUsedCount() {
        return reservedUsed.sum();
    }

    /** Connections lent to exchanges now: 0 whenever no exchange is under way. */
    public long lentCount() {
        return lent.sum();
    }

    /**
     * Closes the idle connections whose route {@code test} accepts: those opened to a host whose address has changed
     * since ({@code Wiretap.resolve}, a test's mapping undone) must not serve the next request.
     */
    public void closeIdle(java.util.function.Predicate<Route> test) {
        List<UpstreamConnection> closing = new ArrayList<>();
        lock.lock();
        try {
            Iterator<Map.Entry<Route, ArrayDeque<UpstreamConnection>>> lists = idle.entrySet().iterator();
            while (lists.hasNext()) {
                Map.Entry<Route, ArrayDeque<UpstreamConnection>> list = lists.next();
                if (test.test(list.getKey())) {
                    closing.addAll(list.getValue());
                    idleCount -= list.getValue().size();
                    lists.remove();
                }
            }
        } finally {
            lock.unlock();
        }
        closing.forEach(UpstreamConnection::close);
    }

    public int idleCount() {
        lock.lock();
        try {
            return idleCount;
        } finally {
            lock.unlock();
        }
    }

    /** Closes every idle connection; connections in use are closed when given back. */
    @Override
    public void close() {
        List<UpstreamConnection> all = new ArrayList<>();
        List<OriginHttp2> allHttp2 = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
            idleCount = 0;
            shared.values().forEach(allHttp2::addAll);
        } finally {
            lock.unlock();
        }
        all.forEach(UpstreamConnection::close);
        allHttp2.forEach(OriginHttp2::close);
    }
}
