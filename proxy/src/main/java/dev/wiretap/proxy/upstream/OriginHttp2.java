package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.http2.Http2Connection;

/**
 * An HTTP/2 connection to an origin as the pool keeps it: shared by as many streams as the origin allows at once
 * (its SETTINGS_MAX_CONCURRENT_STREAMS), found by its {@link Route}, closed when idle past the pool's timeout.
 * Thread-safe: the connection counts its streams.
 */
final class OriginHttp2 {

    private final Route route;
    private final Http2Connection connection;
    private final String remoteAddress;
    /** What its TLS handshake settled, read once: every stream's flow shows it. */
    private final TlsHandshake tls;
    private volatile long idleSinceNanos;
    private volatile boolean used;

    OriginHttp2(Route route, Http2Connection connection, String remoteAddress, TlsHandshake tls, long nowNanos) {
        this.route = route;
        this.connection = connection;
        this.remoteAddress = remoteAddress;
        this.tls = tls;
        this.idleSinceNanos = nowNanos;
    }

    Route route() {
        return route;
    }

    Http2Connection connection() {
        return connection;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    TlsHandshake tls() {
        return tls;
    }

    /** Takes a place for a stream; false when the origin allows no more now or the connection is closing. */
    boolean tryReserve() {
        return connection.tryReserve();
    }

    /** Gives a place back; the connection counts as idle from now when none is taken. */
    void unreserve(long nowNanos) {
        connection.unreserve();
        idleSinceNanos = nowNanos;
    }

    /** Whether a stream was served on it before (the next one is a reuse). */
    boolean markUsed() {
        boolean was = used;
        used = true;
        return was;
    }

    boolean isIdle() {
        return connection.reservedCount() == 0;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    boolean isUsable() {
        return connection.isUsable();
    }

    void close() {
        connection.close();
    }
}
