package dev.wiretap.proxy.upstream;

import dev.wiretap.config.PoolSettings;
import dev.wiretap.proxy.flow.Flow;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Keeps idle origin connections per {@link Route} for reuse (keep-alive on wiretap's upstream side). Bounded per
 * route and in total; a connection idle longer than the idle timeout is closed, lazily on lookup and by
 * {@link #evictIdle()}, which the engine calls periodically. The most recently used connection is handed out
 * first (it is the least likely to have been closed by the origin), and one idle for over a second is probed
 * before use. Counts connections opened and reused.
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
    /** Connections opened for an intercepted tunnel, waiting for its first request to start TLS on them. */
    private final Map<Route, ArrayDeque<Adopted>> adopted = new HashMap<>();

    private record Adopted(Socket socket, long sinceNanos) {
    }

    /** Adopted connections kept per route; beyond this the oldest is closed (the pool's idle ones serve first). */
    private static final int MAX_ADOPTED_PER_ROUTE = 4;
    private int idleCount;
    private boolean closed;
    private final LongAdder opened = new LongAdder();
    private final LongAdder reused = new LongAdder();

    /**
     * @param watchdog         bounds reads on the connections
     * @param readTimeout      longest wait for an origin on any read
     * @param nanoClock        the time, in {@link System#nanoTime()} terms (tests pass their own)
     */
    public UpstreamPool(PoolSettings settings, Dialer dialer, BufferPool writeBuffers, ReadWatchdog watchdog,
                        java.time.Duration readTimeout, LongSupplier nanoClock) {
        this.settings = settings;
        this.dialer = dialer;
        this.writeBuffers = writeBuffers;
        this.watchdog = watchdog;
        this.readTimeoutNanos = readTimeout.toNanos();
        this.nanoClock = nanoClock;
    }

    /** An idle connection for {@code route} if a live one is pooled, else a new one. Records the flow's upstream. */
    public UpstreamConnection acquire(Route route, Flow flow) throws IOException {
        while (true) {
            UpstreamConnection c = takeIdle(route);
            if (c == null) {
                return open(route, flow);
            }
            if (nanoClock.getAsLong() - c.idleSinceNanos() > PROBE_AFTER_NANOS && !c.looksAlive()) {
                c.close();
                continue;
            }
            reused.increment();
            c.beginExchange();
            flow.setUpstream(c.remoteAddress(), true);
            return c;
        }
    }

    /**
     * Takes a connection already open towards {@code route}'s origin (a TCP connection, or a tunnel through the upstream
     * proxy, made when a CONNECT was intercepted, to tell the client at once if the origin cannot be reached); the next
     * new connection for the route starts TLS on it instead of connecting again. Unused past the idle timeout, it is
     * closed.
     */
    public void adopt(Route route, Socket plain) {
        Socket dropped = plain;
        lock.lock();
        try {
            if (!closed) {
                ArrayDeque<Adopted> list = adopted.computeIfAbsent(route, r -> new ArrayDeque<>());
                list.addLast(new Adopted(plain, nanoClock.getAsLong()));
                dropped = list.size() > MAX_ADOPTED_PER_ROUTE ? list.pollFirst().socket() : null;
            }
        } finally {
            lock.unlock();
        }
        if (dropped != null) {
            Dialer.closeQuietly(dropped);
        }
    }

    /** Whether an idle connection for {@code route} is pooled now (it then serves the next request). */
    public boolean hasIdle(Route route) {
        lock.lock();
        try {
            ArrayDeque<UpstreamConnection> list = idle.get(route);
            return list != null && !list.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** A new connection for {@code route}, never a pooled one (used to retry after a pooled one turned out dead). */
    public UpstreamConnection open(Route route, Flow flow) throws IOException {
        Socket plain = takeAdopted(route);
        Socket socket = plain != null ? dialer.secure(plain, route) : dialer.dial(route, flow);
        UpstreamConnection c;
        try {
            c = new UpstreamConnection(route, socket, writeBuffers, watchdog, readTimeoutNanos);
        } catch (IOException e) {
            Dialer.closeQuietly(socket);
            throw e;
        }
        opened.increment();
        c.beginExchange();
        flow.setUpstream(c.remoteAddress(), false);
        return c;
    }

    /**
     * Gives a connection back after an exchange: pooled if reusable, with nothing left unread on it, and there is
     * room; else closed.
     */
    public void release(UpstreamConnection c) {
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

    /** Closes connections idle for longer than the idle timeout; returns how many. */
    public int evictIdle() {
        long now = nanoClock.getAsLong();
        long timeout = settings.idleTimeout().toNanos();
        List<UpstreamConnection> expired = new ArrayList<>();
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
        } finally {
            lock.unlock();
        }
        expired.forEach(UpstreamConnection::close);
        return expired.size() + evictAdopted(now, timeout);
    }

    private int evictAdopted(long now, long timeout) {
        List<Socket> stale = new ArrayList<>();
        lock.lock();
        try {
            for (ArrayDeque<Adopted> list : adopted.values()) {
                while (!list.isEmpty() && now - list.peekFirst().sinceNanos() >= timeout) {
                    stale.add(list.pollFirst().socket());
                }
            }
            adopted.values().removeIf(ArrayDeque::isEmpty);
        } finally {
            lock.unlock();
        }
        stale.forEach(Dialer::closeQuietly);
        return stale.size();
    }

    private Socket takeAdopted(Route route) {
        long now = nanoClock.getAsLong();
        long timeout = settings.idleTimeout().toNanos();
        lock.lock();
        try {
            ArrayDeque<Adopted> list = adopted.get(route);
            while (list != null && !list.isEmpty()) {
                Adopted a = list.pollFirst();
                if (now - a.sinceNanos() < timeout && !a.socket().isClosed()) {
                    return a.socket();
                }
                Dialer.closeQuietly(a.socket());
            }
            return null;
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
            idleCount = 0;
            adopted.values().forEach(list -> list.forEach(a -> Dialer.closeQuietly(a.socket())));
            adopted.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(UpstreamConnection::close);
    }
}
