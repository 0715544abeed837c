package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.upstream.UpstreamException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Turns a failure on the origin's side, before any of the response reached the client, into the answer the client
 * gets: 502 for a DNS failure, a refused or reset connection or a malformed response, 504 when the origin did not
 * answer in time, each with a short text naming the origin and the cause (RFC 9110 sections 15.6.3 and 15.6.5).
 */
final class OriginFailures {

    private OriginFailures() {
    }

    /**
     * Answers the exchange for failure {@code e}; {@code close} when the request's body was not read to its end.
     * Returns what the client connection does next.
     *
     * @param session the client's connection, for wiretap's own page when the origin turned out to be wiretap
     */
    static Outcome answer(Exchange exchange, ClientSession session, Exception e, Destination destination, boolean close)
            throws IOException {
        return answer(exchange, () -> new SelfPage(exchange, session).answer(), e, destination, close);
    }

    /** What answers with wiretap's own page when the origin turned out to be wiretap itself. */
    @FunctionalInterface
    interface SelfAnswer {
        Outcome answer() throws IOException;
    }

    /** As {@link #answer(Exchange, ClientSession, Exception, Destination, boolean)}, for any client's side. */
    static Outcome answer(Exchange exchange, SelfAnswer self, Exception e, Destination destination, boolean close)
            throws IOException {
        ServerContext ctx = exchange.context();
        String origin = destination.hostPort();
        if (e instanceof UpstreamException u) {
            if (u.kind() == FlowError.Kind.LOOP && ctx.settings().upstreamProxies()
                    .proxyFor(destination.scheme(), destination.host(), destination.port()).isEmpty()) {
                return self.answer(); // the URL names wiretap by another name: its own page
            }
            return exchange.failWith(u.status(), u.getMessage(), u.kind(), close);
        }
        if (e instanceof SocketTimeoutException) {
            return exchange.failWith(504, "origin " + origin + " did not answer within "
                    + LocalResponse.duration(ctx.settings().timeouts().upstreamRead()), FlowError.Kind.UPSTREAM_TIMEOUT, close);
        }
        if (e instanceof ProtocolException p) {
            return exchange.failWith(502, "bad response from " + origin + ": " + p.reason(), FlowError.Kind.UPSTREAM_PROTOCOL, close);
        }
        if (e instanceof EOFException) {
            return exchange.failWith(502, "origin " + origin + " closed the connection without a complete response",
                    FlowError.Kind.UPSTREAM_CLOSED, close);
        }
        if (e instanceof SocketException) {
            return exchange.failWith(502, "origin " + origin + " reset the connection (" + e.getMessage() + ")",
                    FlowError.Kind.UPSTREAM_CLOSED, close);
        }
        return exchange.failWith(502, "error talking to origin " + origin + ": " + e.getMessage(), FlowError.Kind.UPSTREAM_CLOSED, close);
    }
}
