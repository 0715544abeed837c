package dev.wiretap.proxy.server;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.HeldMessage;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.upstream.UpstreamLease;
import java.io.IOException;

/**
 * One request through wiretap, from its head to its end. It owns what must happen exactly once whatever way the
 * request goes (forwarded, answered by wiretap or a rule, tunnelled, failed, dropped):
 * <ul>
 *   <li>the flow's end: completed or failed (dropped is a failure), published once with what was written to the
 *       client counted, after the addons' done hook; a second end is ignored, so the first one stands;</li>
 *   <li>the addons' hooks, run in order in one loop; an addon that throws fails the exchange with a 500 naming it;</li>
 *   <li>the upstream connection it borrowed from the pool: given back (pooled or closed) once, whichever path the
 *       exchange takes; what the handlers left is closed by the driver when the exchange is over;</li>
 *   <li>its draw on the budget for capturing bodies ({@link #captures()}): given back when the flow has ended.</li>
 * </ul>
 *
 * <p>The client's side is a {@link Downstream}: an HTTP/1 connection, or an HTTP/2 stream ({@link StreamDownstream}). Whoever reads a
 * request head drives an exchange the same way: makes the flow and the exchange, hands it to a handler
 * ({@link Forwarder}, {@link ConnectTunnel}, {@link SelfPage}), which ends it and returns the {@link Outcome} for the
 * connection, and then calls {@link #closeUpstream()} (a no-op when the handler gave the connection back) and
 * {@link #failUnlessEnded} if the handler threw.
 *
 * <p>Mutable, driven by one thread: the one serving the request (the client connection's virtual thread, or the
 * stream's). Only {@link #cutOff()} comes from another (a stop whose grace is over, a client's cancel of its stream),
 * and, once the exchange is a WebSocket, the message hook and {@link #progressed()} come from both directions' relay
 * threads.
 */
final class Exchange {

    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    /** The addons' hooks an exchange runs before anything of the final response has gone to the client. */
    enum Hook {
        /** {@link Addon#onRequestHead}: the request head is in, nothing has been sent upstream. */
        REQUEST_HEAD,
        /** {@link Addon#onRequest}: the request held by an addon is in hand (its body too when it fits). */
        REQUEST,
        /** {@link Addon#onResponseHead}: the response head is in (or made by wiretap). */
        RESPONSE_HEAD,
        /** {@link Addon#onResponse}: the response held by an addon is in hand. */
        RESPONSE
    }

    private final ServerContext ctx;
    private final Downstream client;
    private final LiveFlow flow;
    /** The replay this exchange serves (the first request of a replay's session), whose future gets the flow; or null. */
    private final ReplayTicket replay;
    /** {@code client.bytesWritten()} when the exchange began: what was written since is the flow's. */
    private final long writtenMark;
    /** What the flow's body captures draw on; closed at the flow's end, once the listeners (the store) have it. */
    private final CaptureAccount captures;
    /** The upstream connection or stream borrowed and not yet given back, or null; read by {@link #cutOff()}. */
    private volatile UpstreamLease upstream;
    private boolean ended;
    /** How the connection closes if this exchange ends it: LINGER once wiretap answered an error the client may not have read whole. */
    private Outcome closing = Outcome.CLOSE;
    /** Whether an addon holds the messages of the WebSocket this request asks for. */
    private boolean holdsWebSocket;
    /** {@link System#nanoTime()} of the last {@link FlowEvent.Progressed}, or 0 before the first. */
    private final java.util.concurrent.atomic.AtomicLong lastProgressNanos = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param replay the replay this exchange's request is (its flow marked as such by the caller), or null
     */
    Exchange(ServerContext ctx, Downstream client, LiveFlow flow, ReplayTicket replay) {
        this.ctx = ctx;
        this.client = client;
        this.flow = flow;
        this.replay = replay;
        this.writtenMark = client.bytesWritten();
        this.captures = ctx.captureBudget().open(ctx.settings().capture().maxBodyBytes(), flow);
    }

    /** The account the flow's body captures, and bodies held for addons, draw on. */
    CaptureAccount captures() {
        return captures;
    }

    /** A relay for one of this exchange's bodies, its capture drawing on {@link #captures()}. */
    dev.wiretap.proxy.http1.BodyRelay bodyRelay() {
        return ctx.bodyRelay(captures);
    }

    LiveFlow flow() {
        return flow;
    }

    Request request() {
        return flow.request();
    }

    ServerContext context() {
        return ctx;
    }

    /** Whether the flow has ended (completed or failed, and published). */
    boolean isEnded() {
        return ended;
    }

    /**
     * How the client's connection closes if it cannot carry on after this exchange: {@link Outcome#LINGER} once
     * wiretap answered an error and the client may still be sending what was not read, else {@link Outcome#CLOSE}.
     * What a handler returns when an addon's hook failed, and what the driver does when a handler threw.
     */
    Outcome closing() {
        return closing;
    }

    // ---- events ------------------------------------------------------------------------------------------------

    /** Publishes that the request head is in and its destination resolved. */
    void requested() {
        ctx.events().publish(new FlowEvent.Requested(flow));
    }

    /** Publishes that the flow's response head is known (the origin's, or wiretap's own). */
    void responded() {
        ctx.events().publish(new FlowEvent.Responded(flow));
    }

    /**
     * Publishes that more of the flow has arrived (a WebSocket message, a streaming body's bytes), at most every
     * {@link FlowEvent#PROGRESS_MILLIS} ms; from the relay threads.
     */
    void progressed() {
        long now = System.nanoTime();
        long last = lastProgressNanos.get();
        if (last != 0 && now - last < FlowEvent.PROGRESS_MILLIS * 1_000_000) {
            return;
        }
        if (lastProgressNanos.compareAndSet(last, now)) {
            ctx.events().publish(new FlowEvent.Progressed(flow));
        }
    }

    // ---- hooks -------------------------------------------------------------------------------------------------

    /**
     * Asks the addons whether one holds the messages of the WebSocket this request asks for
     * ({@link Addon#holdsWebSocketMessages}); remembered for the 101. An addon that throws is logged and counts as no.
     */
    boolean asksToHoldWebSocket() {
        for (Addon addon : ctx.addons()) {
            try {
                holdsWebSocket |= addon.holdsWebSocketMessages(flow);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "addon " + addon.name() + " failed in holdsWebSocketMessages", e);
            }
        }
        return holdsWebSocket;
    }

    /** Whether an addon holds this WebSocket's messages (asked by {@link #asksToHoldWebSocket}). */
    boolean holdsWebSocket() {
        return holdsWebSocket;
    }

    /** Runs every addon's WebSocket message hook on {@code message}, in order; a failing addon is logged and skipped. */
    void runMessageHook(HeldMessage message) {
        for (Addon addon : ctx.addons()) {
            try {
                addon.onWebSocketMessage(flow, message);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "addon " + addon.name() + " failed in onWebSocketMessage", e);
            }
        }
    }

    /**
     * Runs {@code hook} of every addon, in order. Returns false if one threw: the exchange has then answered 500 naming
     * the addon and ended, and the handler returns {@link #closing()}: the connection does not carry on.
     *
     * @param closeOnFailure whether the 500 must close the connection (a request body may be left unread)
     */
    boolean runHook(Hook hook, boolean closeOnFailure) throws IOException {
        for (Addon addon : ctx.addons()) {
            try {
                switch (hook) {
                    case REQUEST_HEAD -> addon.onRequestHead(flow);
                    case REQUEST -> addon.onRequest(flow);
                    case RESPONSE_HEAD -> addon.onResponseHead(flow);
                    case RESPONSE -> addon.onResponse(flow);
                }
            } catch (RuntimeException e) {
                failWith(500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, closeOnFailure);
                return false;
            }
        }
        return true;
    }

    // ---- answers wiretap makes ---------------------------------------------------------------------------------

    /** Sends a response wiretap made (recorded on the flow) and publishes it; the flow does not end here. */
    void sendLocal(LocalResponse response, boolean close) throws IOException {
        client.send(response, flow, close);
        responded();
    }

    /**
     * Whether the connection may carry on after this exchange: only when the request's body was read to its end
     * ({@code requestBodyDone}), wiretap is not stopping and the client did not ask to close.
     */
    boolean mayKeep(boolean requestBodyDone) {
        return requestBodyDone && client.mayCarryOn(flow.request());
    }

    /**
     * Ends the flow with an error response made by wiretap. The connection may carry on only when {@code close} is
     * false (the caller knows no unread request body is left on the wire), wiretap is not stopping and the client did
     * not ask to close; else it closes, lingering if the client may still be sending.
     */
    Outcome failWith(int status, String message, FlowError.Kind kind, boolean close) throws IOException {
        boolean keep = !close && client.mayCarryOn(flow.request());
        closing = keep ? Outcome.CLOSE : client.closing(flow.request());
        try {
            sendLocal(LocalResponse.error(status, message), !keep);
        } finally {
            fail(new FlowError(kind, message));
        }
        return keep ? Outcome.KEEP : closing;
    }

    /** Answers a client fault with {@code status} and closes the connection. */
    Outcome reject(int status, String reason, FlowError.Kind kind) throws IOException {
        return failWith(status, reason, kind, true);
    }

    // ---- the single end ----------------------------------------------------------------------------------------

    /** Ends the flow normally now. */
    void complete() {
        complete(System.nanoTime());
    }

    /** Ends the flow normally; {@code endNanos} is {@link System#nanoTime()} at its end. */
    void complete(long endNanos) {
        if (ended) {
            return;
        }
        ended = true;
        flow.complete(endNanos);
        publishEnd();
    }

    /** Ends the flow with {@code error} (keeping any response under way). */
    void fail(FlowError error) {
        if (ended) {
            return;
        }
        ended = true;
        flow.fail(error, System.nanoTime());
        publishEnd();
    }

    /** Ends the flow with {@code error} unless it has ended: what the driver does when a handler threw. */
    void failUnlessEnded(FlowError.Kind kind, String message) {
        if (!ended) {
            fail(new FlowError(kind, message));
        }
    }

    /** Ends the flow because the client went away; the connection cannot carry on. */
    Outcome failClientGone(String message) {
        fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, message));
        return Outcome.CLOSE;
    }

    /** Cuts the client off without a response and ends the flow with {@code error}; the connection cannot carry on. */
    Outcome abort(FlowError error) {
        client.abort();
        fail(error);
        return Outcome.CLOSE;
    }

    /** Ends the flow as an addon asked ({@link LiveFlow#drop}): the client is cut off without a response. */
    Outcome drop() {
        return abort(new FlowError(FlowError.Kind.DROPPED, flow.dropReason().orElse("dropped")));
    }

    /**
     * Publishes the end and tells the addons. Counts what the exchange wrote to the client first, so that every
     * listener sees the final size.
     */
    private void publishEnd() {
        flow.addBytesToClient(client.bytesWritten() - writtenMark);
        for (Addon addon : ctx.addons()) {
            try {
                addon.onDone(flow);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "addon " + addon.name() + " failed in onDone", e);
            }
        }
        ctx.events().publish(flow.error().isPresent() ? new FlowEvent.Failed(flow) : new FlowEvent.Completed(flow));
        captures.close(); // the store has its copy: what is left of the bodies is garbage, or a listener's to keep
        if (replay != null) {
            replay.result().complete(flow);
        }
    }

    // ---- the upstream connection -------------------------------------------------------------------------------

    /** The route to {@code destination}: through the upstream proxy that serves it, with the tunnel's TLS name. */
    Route routeTo(Destination destination) {
        return Route.to(destination, ctx.settings().upstreamProxies()).withTlsName(client.tlsNameFor(destination));
    }

    /**
     * Borrows a connection for {@code route}, this exchange's until given back: on a first attempt the one the tunnel
     * reserved at its CONNECT if it is for this route, else a pooled one, else a new one; with {@code fresh} (a retry
     * after a pooled one turned out dead) always a new one. Any connection still held is closed first.
     */
    UpstreamConnection borrowUpstream(Route route, boolean fresh) throws IOException {
        closeUpstream();
        UpstreamConnection up = fresh ? ctx.pool().open(route, flow) : ctx.pool().acquire(route, flow, client.reserved());
        upstream = up;
        return up;
    }

    /**
     * As {@link #borrowUpstream(Route, boolean)}, for a request that may go over HTTP/2 ({@code mayUseH2}): then the lease
     * may be a stream of a shared HTTP/2 connection.
     */
    UpstreamLease borrowUpstream(Route route, boolean fresh, boolean mayUseH2) throws IOException {
        closeUpstream();
        UpstreamLease up = fresh ? ctx.pool().open(route, flow, mayUseH2)
                : ctx.pool().acquire(route, flow, client.reserved(), mayUseH2);
        upstream = up;
        return up;
    }

    /** Gives the upstream connection back to the pool, which keeps it if it can carry another exchange; once. */
    void releaseUpstream() {
        giveBack(false);
    }

    /** Closes the upstream connection (the exchange failed, or its framing is in doubt); a no-op once given back. */
    void closeUpstream() {
        giveBack(true);
    }

    /** The one place a borrowed connection goes back: the field is cleared first, so it goes back once. */
    private void giveBack(boolean close) {
        UpstreamLease up = upstream;
        if (up == null) {
            return;
        }
        upstream = null;
        if (close) {
            ctx.pool().discard(up);
        } else {
            ctx.pool().release(up);
        }
    }

    /**
     * Closes the upstream connection's socket when a stop's grace is over, from the stopping thread: the serving thread
     * may be blocked reading from the origin, which closing the client alone would not end. That thread then sees the
     * closed socket, and the connection is given back as usual.
     */
    void cutOff() {
        UpstreamLease up = upstream;
        if (up != null) {
            up.cutOff(); // the serving thread sees the closed socket or the reset stream, and ends
        }
    }

    /** Closes the connection the tunnel reserved at its CONNECT: a rule answers in the origin's place. */
    void closeReserved() {
        client.closeReserved();
    }
}
