package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.HttpOutput;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * One connection to an origin (or through an upstream proxy), with its reader and writer. It serves one exchange
 * at a time: borrowed from the {@link UpstreamPool}, used by one connection thread, then given back. Once the
 * framing of anything on it is in doubt it is marked not reusable and closed on release.
 */
public final class UpstreamConnection implements UpstreamLease {

    private final Route route;
    private final Socket socket;
    private final HttpInput in;
    private final HttpOutput out;
    private final String remoteAddress;
    /** What the TLS handshake with the origin settled; null for plain TCP (or TLS to an upstream proxy alone). */
    private final TlsHandshake tls;
    private final ReadWatchdog.Watch watch;
    private long idleSinceNanos;
    private int exchanges;
    private boolean reusable = true;
    private volatile boolean closed;

    /**
     * @param buffers          where its reader and writer borrow their buffers for the length of an exchange
     * @param readTimeoutNanos longest wait for the origin on any read (before and during a response)
     */
    UpstreamConnection(Route route, Socket socket, BufferPool buffers, ReadWatchdog watchdog, long readTimeoutNanos)
            throws IOException {
        this.route = route;
        this.socket = socket;
        this.watch = watchdog.watch(socket);
        // A TLS connection's bytes must go through its streams; a plain one's channel can carry big bodies directly.
        var channel = socket instanceof javax.net.ssl.SSLSocket ? null : socket.getChannel();
        // No input buffer of its own: a pooled one while an exchange reads, given back when the connection goes idle
        // in the pool (markIdle), where up to pool.max_idle_total connections may wait.
        this.in = new HttpInput(socket.getInputStream(), channel, 0, buffers, watch);
        this.in.setReadTimeout(readTimeoutNanos);
        this.out = new HttpOutput(socket.getOutputStream(), channel, buffers);
        this.remoteAddress = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        this.tls = route.isTls() && socket instanceof javax.net.ssl.SSLSocket secure ? TlsHandshake.of(secure) : null;
    }

    @Override
    public void cutOff() {
        Dialer.closeQuietly(socket); // the exchange's thread sees the closed socket and gives the connection back
    }

    @Override
    public Route route() {
        return route;
    }

    public HttpInput in() {
        return in;
    }

    public HttpOutput out() {
        return out;
    }

    public Socket socket() {
        return socket;
    }

    /** {@code ip:port} of the peer. */
    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    /** The TLS with the origin, or null for a plain connection; for the flows it serves. */
    TlsHandshake tls() {
        return tls;
    }

    /** True if this connection served an exchange before the current one. */
    @Override
    public boolean isReused() {
        return exchanges > 1;
    }

    /** Counts the start of an exchange on this connection. */
    void beginExchange() {
        exchanges++;
    }

    public boolean isReusable() {
        return reusable && !closed;
    }

    /** The connection must not carry another exchange (framing in doubt, Connection: close, an error). */
    public void markNotReusable() {
        reusable = false;
    }

    /**
     * Bounds the next reads more tightly than the configured timeout, for a short wait that may end without an
     * answer and go on (Expect: 100-continue): unlike the watchdog's timeout, this one leaves the connection usable.
     * {@link #restoreReadTimeout()} lifts it.
     */
    public void setReadTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void restoreReadTimeout() throws IOException {
        socket.setSoTimeout(0);
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    /** Its exchange is over and nothing is left unread: it waits in the pool, holding no buffer. */
    void markIdle(long nowNanos) {
        idleSinceNanos = nowNanos;
        in.shrink();
    }

    /**
     * Checks, without waiting more than a millisecond, that the origin has not closed this idle connection and
     * has not sent anything unasked for (either makes it unusable).
     */
    boolean looksAlive() {
        if (in.buffered() > 0) {
            return false;
        }
        try {
            socket.setSoTimeout(1);
            try {
                in.fill();
                return false; // end of stream, or bytes nobody asked for: either way unusable
            } catch (SocketTimeoutException quiet) {
                return true;
            } finally {
                socket.setSoTimeout(0);
            }
        } catch (IOException e) {
            return false;
        }
    }

    public void close() {
        closed = true;
        watch.close();
        out.discard();
        Dialer.closeQuietly(socket);
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "upstream " + remoteAddress + " for " + route;
    }
}
