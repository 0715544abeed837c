package dev.wiretap.proxy.flow;

import java.time.Instant;

/**
 * How long each phase of an exchange took, in nanoseconds, in the phases a HAR file uses. A phase that did not
 * happen (no DNS lookup, connect or TLS handshake on a reused connection, no response) is -1.
 *
 * <p>The connection phases ({@code dnsNanos}, {@code connectNanos}, {@code sslNanos}) belong to the first exchange on
 * a new connection. A connection wiretap opened when an intercepted tunnel was (to tell the client at once when the
 * origin cannot be reached) was made before the tunnel's first request began: that request reports its phases all
 * the same, as mitmproxy does, so they may add up to more than {@code totalNanos}.
 *
 * @param started       wall-clock time the request head began to arrive
 * @param dnsNanos      resolving the origin's name
 * @param connectNanos  opening the TCP connection to the origin (or to the upstream proxy, and the tunnel through it);
 *                      the TLS handshake is not part of it
 * @param sslNanos      the TLS handshake with the origin
 * @param sendNanos     writing the request head and body upstream
 * @param waitNanos     from the request being sent to the first byte of the response head
 * @param receiveNanos  from the response head to the last byte of the body
 * @param totalNanos    from the first byte of the request to the end of the exchange
 */
public record Timings(Instant started, long dnsNanos, long connectNanos, long sslNanos, long sendNanos, long waitNanos,
                      long receiveNanos, long totalNanos) {

    /**
     * Opening the connection as HAR 1.2 counts its {@code connect} phase: the TCP connect and the TLS handshake
     * together; -1 when neither happened.
     */
    public long connectWithSslNanos() {
        return connectNanos < 0 && sslNanos < 0 ? -1 : Math.max(0, connectNanos) + Math.max(0, sslNanos);
    }
}
