package dev.wiretap.proxy.server;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamException;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Serves a CONNECT request (RFC 9110 section 9.3.6): opens a TCP connection to the named host and port (through
 * the upstream proxy if one is set), answers 200, and then relays bytes both ways untouched until both sides are
 * done ({@link Splice}). The flow records the tunnel's bytes each way and its duration.
 *
 * <p>This is the seam for TLS interception: once the 200 is out, {@link #relay} decides what to do with the bytes
 * inside the tunnel; today it splices them through.
 */
final class ConnectTunnel {

    private static final byte[] ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ClientSession session;
    private final ServerContext ctx;

    ConnectTunnel(ClientSession session) {
        this.session = session;
        this.ctx = session.context();
    }

    /** Opens the tunnel and relays until it ends; returns whether the client connection carries on (only on failure). */
    boolean open(Flow flow) throws IOException {
        if (!ClientSession.hasNoBody(flow.request())) {
            return session.reject(flow, 400, "a CONNECT request must not have a body", FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (!AddonHooks.requestHead(session, flow, false)) {
            return false;
        }
        Destination target = flow.request().destination().orElseThrow();
        Route route = new Route("tcp", target.host(), target.port(), ctx.settings().upstreamProxy());
        Socket upstream;
        try {
            upstream = ctx.dialer().dialTunnel(route, flow);
        } catch (UpstreamException e) {
            return session.fail(flow, e.status(), e.getMessage(), e.kind(), hasTunnelBytes());
        }
        try {
            flow.setUpstream(upstream.getInetAddress().getHostAddress() + ":" + upstream.getPort(), false);
            try {
                session.out().write(ESTABLISHED, 0, ESTABLISHED.length);
                session.out().release(); // an open tunnel holds no write buffer
            } catch (IOException e) {
                return session.endClientGone(flow, "client went away before the tunnel opened: " + e.getMessage());
            }
            flow.setResponse(new Response(HttpVersion.HTTP_1_1, 200, "Connection established", new Headers(), ESTABLISHED));
            ctx.events().publish(new FlowEvent.Responded(flow));
            flow.markTunnelled();
            relay(flow, upstream);
        } finally {
            upstream.close();
        }
        return false;
    }

    /**
     * True when bytes have already come after the CONNECT head. They were meant for the tunnel (RFC 9110 section
     * 9.3.6: once the request is sent, what follows belongs to the tunnel); if the tunnel is refused they must not be
     * read as HTTP, where they would pass for a request the client never sent as one, so the connection closes.
     */
    private boolean hasTunnelBytes() {
        return session.in().buffered() > 0;
    }

    /** Relays the tunnel's bytes until both directions have ended. */
    private void relay(Flow flow, Socket upstream) {
        long start = System.nanoTime();
        Splice.Result moved = new Splice(ctx.bodyBuffers(), ctx.directBuffers(), ctx.watchdog(), ctx.settings().timeouts().tunnelIdle())
                .run(session.socket(), session.in(), upstream, null);
        flow.addBytesFromClient(moved.aToB());
        flow.addBytesToClient(moved.bToA());
        flow.setReceiveNanos(System.nanoTime() - start);
        flow.complete(System.nanoTime());
        session.publishEnd(flow);
    }
}
