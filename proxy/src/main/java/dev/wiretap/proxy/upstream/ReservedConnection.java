package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Timings;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connection to an origin that wiretap opened when an intercepted CONNECT tunnel was, before any request inside
 * needed it (so that an unreachable origin got the client a 502 at once), kept for the tunnel's first request. It
 * never waits bare for that request: TLS with the origin starts as soon as the client's ClientHello is in, on a
 * virtual thread of its own ({@code wiretap-upstream-tls}), while wiretap answers the client's handshake. A server
 * that runs handshakes in its accept loop is held up by it no longer than by any client.
 *
 * <p>The tunnel's first request takes it through {@link UpstreamPool#acquire(Route, dev.wiretap.proxy.flow.Flow,
 * ReservedConnection)} when it goes to this route; whatever else happens first (a rule answers the request, the request
 * goes elsewhere, the client leaves) closes it at once ({@link #close()}).
 *
 * <p>States: handshaking, ready (or failed, with the reason kept for the request), taken, closed. The tunnel's session
 * thread takes or closes it, and a stopping proxy may close it from another thread; the handshake thread hands over its
 * result. The lock guards the state and the sockets; no I/O is done while it is held but closing.
 */
public final class ReservedConnection {

    private enum State { HANDSHAKING, READY, FAILED, TAKEN, CLOSED }

    /** What the first request gets: the secured socket and the phases that made it. */
    record Taken(Socket socket, long dnsNanos, long connectNanos, long sslNanos, long readySinceNanos) {
    }

    private final Route route;
    private final Socket plain;
    private final long dnsNanos;
    private final long connectNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final CountDownLatch handshakeOver = new CountDownLatch(1);
    private State state = State.HANDSHAKING;
    private Socket secured;
    private UpstreamException failure;
    private long sslNanos = -1;
    private long readySinceNanos;

    private ReservedConnection(Route route, Socket plain, Timings opened) {
        this.route = route;
        this.plain = plain;
        this.dnsNanos = opened.dnsNanos();
        this.connectNanos = opened.connectNanos();
    }

    /**
     * Starts TLS for {@code route} (a TLS route: its TLS name is the one the client asked for) on {@code plain}, a
     * connection already open towards its origin, on a thread of its own; {@code opened} holds the DNS and connect
     * phases that opened it, for the request that will use it.
     */
    public static ReservedConnection secure(Dialer dialer, Route route, Socket plain, Timings opened) {
        return secure(dialer, route, plain, opened, false);
    }

    /** As above, offering the origin {@code h2} too when {@code offerH2} (the client offered it to wiretap). */
    public static ReservedConnection secure(Dialer dialer, Route route, Socket plain, Timings opened, boolean offerH2) {
        ReservedConnection c = new ReservedConnection(route, plain, opened);
        Thread.ofVirtual().name("wiretap-upstream-tls").start(() -> c.handshake(dialer, offerH2));
        return c;
    }

    public Route route() {
        return route;
    }

    private void handshake(Dialer dialer, boolean offerH2) {
        long start = System.nanoTime();
        Socket socket = null;
        UpstreamException failed = null;
        try {
            socket = dialer.secure(plain, route, offerH2);
        } catch (UpstreamException e) {
            failed = e;
        } catch (RuntimeException e) {
            Dialer.closeQuietly(plain);
            failed = new UpstreamException(FlowError.Kind.INTERNAL, 502, "wiretap failed starting TLS with " + route.hostPort()
                    + ": " + e, e);
        }
        long end = System.nanoTime();
        lock.lock();
        try {
            sslNanos = end - start;
            readySinceNanos = end;
            if (state == State.CLOSED) {
                if (socket != null) {
                    Dialer.closeQuietly(socket); // closed while the handshake ran: nobody will take it
                }
            } else {
                secured = socket;
                failure = failed;
                state = failed == null ? State.READY : State.FAILED;
            }
        } finally {
            lock.unlock();
            handshakeOver.countDown();
        }
    }

    /**
     * For the pool: this connection, once its handshake is over, if {@code wanted} is its route; null (and closed)
     * for another route, or if it was closed. A handshake that failed fails the request that would have used it.
     */
    Taken take(Route wanted) throws UpstreamException {
        if (!wanted.equals(route)) {
            close();
            return null;
        }
        try {
            handshakeOver.await(); // bounded: the handshake has the upstream read timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            return null;
        }
        lock.lock();
        try {
            switch (state) {
                case READY -> {
                    state = State.TAKEN;
                    return new Taken(secured, dnsNanos, connectNanos, sslNanos, readySinceNanos);
                }
                case FAILED -> {
                    state = State.CLOSED;
                    throw failure;
                }
                default -> {
                    return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the connection unless a request took it (then the request's exchange owns it); safe from any thread. */
    public void close() {
        lock.lock();
        try {
            if (state == State.TAKEN || state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            // Closing the TCP connection also ends a handshake still running on it.
            Dialer.closeQuietly(secured != null ? secured : plain);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "connection reserved for " + route;
    }
}
