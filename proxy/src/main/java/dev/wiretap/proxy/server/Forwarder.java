package dev.wiretap.proxy.server;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.BodyRelay;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.http1.ConnectionOptions;
import dev.wiretap.proxy.http1.ForwardedHeads;
import dev.wiretap.proxy.http1.HeldBody;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.io.Pacer;
import dev.wiretap.proxy.websocket.Handshake;
import dev.wiretap.proxy.upstream.ProxyRefusal;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.upstream.UpstreamException;
import dev.wiretap.proxy.upstream.UpstreamLease;
import dev.wiretap.proxy.upstream.OriginStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Set;

/**
 * Forwards one plain-HTTP request to its origin and the response back, on the client's connection thread:
 * borrows an upstream connection, writes the request head and streams the body, relays interim responses, reads
 * the final response and streams it to the client, framed for the client's HTTP version, then gives the upstream
 * connection back to the pool if it can carry another exchange.
 *
 * <p>Made for one exchange and thrown away: this class sends the request; {@link ResponseRelay} brings the response
 * back. The {@link Exchange} holds the upstream connection, runs the addons' hooks and ends the flow; this class speaks
 * HTTP/1 to the client ({@link ClientSession}'s reader and writer) and to the origin, and decides for that exchange
 * whether the client connection may carry on.
 */
final class Forwarder {

    /** Methods that may be retried on a fresh connection when a pooled one turns out dead (RFC 9110 section 9.2.2). */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final Exchange exchange;
    private final ClientSession session;
    private final ServerContext ctx;
    private final HttpOutput out;
    private final LiveFlow flow;
    private final Request request;
    private BodyFraming requestFraming;
    private boolean client10;
    private boolean requestBodyDone;
    private boolean requestBodyStarted;
    private boolean expectContinue;
    private String hostField;
    private boolean continueSent;
    /** The request body read into memory because an addon held the request, or null. */
    private HeldBody held;

    Forwarder(Exchange exchange, ClientSession session) {
        this.exchange = exchange;
        this.session = session;
        this.ctx = exchange.context();
        this.out = session.out();
        this.flow = exchange.flow();
        this.request = flow.request();
    }

    /** Serves the exchange; returns what the client connection does next. */
    Outcome forward() throws IOException {
        this.client10 = request.version() == HttpVersion.HTTP_1_0;
        try {
            requestFraming = BodyFraming.ofRequest(request);
        } catch (ProtocolException e) {
            return exchange.reject(e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        requestBodyDone = requestFraming instanceof BodyFraming.None;
        int expect = request.headers().indexOf("Expect", 0);
        if (expect >= 0 && !client10) {
            if (request.headers().count("Expect") > 1 || !request.headers().valueIs(expect, "100-continue")) {
                return exchange.failWith(417, "unsupported expectation '" + request.headers().value(expect) + "'",
                        FlowError.Kind.CLIENT_PROTOCOL, true);
            }
            expectContinue = !requestBodyDone;
        }
        if (LastHop.isLastHop(request)) {
            return LastHop.answer(exchange, requestBodyDone);
        }
        Destination asRead = request.destination().orElseThrow();
        if (!exchange.runHook(Exchange.Hook.REQUEST_HEAD, true)) {
            return exchange.closing();
        }
        if (flow.dropReason().isPresent()) {
            return exchange.drop();
        }
        if (flow.answer().isEmpty() && flow.isHeld(Flow.Side.REQUEST)) {
            try {
                holdBody();
            } catch (RelayException e) {
                return failSendingBody(e);
            }
            if (!exchange.runHook(Exchange.Hook.REQUEST, !requestBodyDone)) {
                return exchange.closing();
            }
            if (flow.dropReason().isPresent()) {
                return exchange.drop();
            }
            if (held != null && held.isWhole()) {
                frameHeldBody();
            }
        }
        if (flow.answer().isPresent()) {
            return answerLocally(flow.answer().get());
        }
        return send(asRead);
    }

    /** An addon answers in the origin's place: the request body is read into the flow, and the answer sent. */
    private Outcome answerLocally(Answer answer) throws IOException {
        exchange.closeReserved(); // the connection opened at the CONNECT for this request goes at once
        if (!(answer instanceof Answer.Drop) && !requestBodyDone) {
            try {
                absorbBody(); // the flow shows what the client sent; the connection stays usable
            } catch (RelayException e) {
                return failSendingBody(e);
            }
        }
        return new AnswerResponder(exchange, session).answer(answer, requestBodyDone);
    }

    /**
     * Sends the request to its origin over a borrowed connection (once more on a fresh one when a pooled one turns out
     * dead), and hands the response to the {@link ResponseRelay}.
     *
     * @param asRead the request's destination as read, before any addon moved it
     */
    private Outcome send(Destination asRead) throws IOException {
        Destination destination = request.destination().orElseThrow();
        hostField = hostField(asRead, destination);
        ConnectionOptions clientOptions = ConnectionOptions.of(request.headers());
        // Plain-text HTTP/2 (h2c) is not spoken here: an upgrade only to h2c is no upgrade, and its Upgrade field (and
        // HTTP2-Settings, which Connection names) are not forwarded (RFC 9113 section 3.1 retired it anyway).
        boolean upgrade = !client10 && clientOptions.upgrade() && request.headers().contains("Upgrade")
                && !onlyH2c(request.headers().all("Upgrade"));
        if (upgrade && Handshake.isAsked(request) && exchange.asksToHoldWebSocket()
                && request.headers().removeAll("Sec-WebSocket-Extensions") > 0) {
            flow.addNote("an addon holds this WebSocket's messages: wiretap removed the request's Sec-WebSocket-Extensions,"
                    + " so that no compression is agreed");
        }
        Route route = exchange.routeTo(destination);
        // Outside a tunnel (an https:// URL asked of the proxy in plain HTTP, or a replay) nothing was negotiated with
        // the client: the origin is offered h2 too, and whatever it picks is used. Inside an HTTP/1.1 tunnel, and for
        // an upgrade, only HTTP/1.1.
        boolean mayUseH2 = !upgrade && !session.isInTunnel() && route.isTls();

        UpstreamConnection up;
        Response response;
        for (int attempt = 0; ; attempt++) {
            try {
                if (mayUseH2) {
                    UpstreamLease lease = exchange.borrowUpstream(route, attempt > 0, true);
                    if (lease instanceof OriginStream stream) {
                        return new Http1ToStream(exchange, session, destination, hostField, requestFraming,
                                this::sendContinueIfAsked).relay(stream, held);
                    }
                    up = (UpstreamConnection) lease;
                } else {
                    up = exchange.borrowUpstream(route, attempt > 0);
                }
            } catch (UpstreamException e) {
                return OriginFailures.answer(exchange, session, e, destination, !requestBodyDone);
            }
            long mark = up.in().consumedCount();
            try {
                response = exchangeHeads(up, route, destination, expectContinue, upgrade);
                break;
            } catch (EarlyResponse e) {
                response = e.response; // relayed below; the unread rest of the body means closing after it
                break;
            } catch (RelayException e) {
                exchange.closeUpstream();
                return failSendingBody(e);
            } catch (IOException | ProtocolException e) {
                boolean unanswered = up.in().consumedCount() == mark && up.in().buffered() == 0;
                exchange.closeUpstream();
                if (out.hasFailed()) {
                    // Writing an interim response to the client failed: the client left.
                    return exchange.failClientGone("client went away during the exchange: " + e.getMessage());
                }
                if (attempt == 0 && up.isReused() && unanswered && isReplayable() && !(e instanceof SocketTimeoutException)) {
                    continue; // a pooled connection the origin had closed: once more on a fresh one
                }
                return OriginFailures.answer(exchange, session, e, destination, !requestBodyDone);
            }
        }
        if (response.status() == 407 && route.sendsAbsoluteForm()) {
            // The upstream proxy wants (other) credentials. Passed on, the 407 would have the client ask its user for
            // credentials for wiretap, which it does not want and would not pass on: a 502 naming the proxy says who
            // refused and what to do.
            exchange.closeUpstream();
            return exchange.failWith(502, ProxyRefusal.describe(route.proxy().orElseThrow(), "a request to "
                    + destination.hostPort(), response), FlowError.Kind.CONNECT, !requestBodyDone);
        }
        return new ResponseRelay(exchange, session, destination, requestBodyDone).relay(up, response, upgrade);
    }

    /**
     * Sends the request (head, then body) and returns the final response head, relaying interim ones. With
     * {@code Expect: 100-continue} the body waits for the origin's 100, or the expect-continue timeout.
     */
    private Response exchangeHeads(UpstreamConnection up, Route route, Destination destination, boolean expectContinue,
                                   boolean upgrade) throws IOException, ProtocolException {
        long sendStart = System.nanoTime();
        HttpOutput upOut = up.out();
        // A held body was read whole (the client was told to go on if it asked): the origin gets no expectation.
        boolean heldWhole = held != null && held.isWhole();
        UpstreamProxy nextProxy = route.sendsAbsoluteForm() ? route.proxy().orElseThrow() : null;
        ForwardedHeads.writeRequest(upOut, request, destination, hostField, nextProxy, ctx.via(request.version().number()),
                upgrade, client10 || heldWhole);
        Response early = null;
        if (requestFraming instanceof BodyFraming.None) {
            upOut.release();
        } else {
            if (expectContinue) {
                upOut.release();
                early = awaitContinue(up);
            }
            if (early == null) {
                sendBody(up);
            } else {
                up.markNotReusable(); // the origin never got the body its head announced
            }
        }
        long sendEnd = System.nanoTime();
        flow.setSendNanos(sendEnd - sendStart);
        Response response = early != null ? early : readFinalResponse(up);
        flow.setWaitNanos(System.nanoTime() - sendEnd);
        return response;
    }

    /**
     * Whether the request can go again on a fresh connection after a pooled one died without answering: an
     * idempotent request without a body (RFC 9110 section 9.2.2), or any request whose body is still waiting behind
     * Expect: 100-continue, since then the origin cannot have acted on it.
     */
    private boolean isReplayable() {
        if (requestBodyStarted) {
            return false;
        }
        return requestFraming instanceof BodyFraming.None ? IDEMPOTENT.contains(request.method()) : expectContinue;
    }

    private void sendBody(UpstreamConnection up) throws IOException, ProtocolException {
        requestBodyStarted = true;
        sendContinueIfAsked();
        long before = session.in().consumedCount();
        BodyRelay relay = exchange.bodyRelay();
        long upRate = flow.throttle().map(Throttle::upBytesPerSecond).orElse(0L);
        if (upRate > 0) {
            relay.pacedBy(new Pacer(upRate), up.out().bytesWritten());
        }
        try {
            if (held != null && held.isWhole()) {
                writeHeldBody(up);
                return;
            }
            Body body = held != null
                    ? held.relayRest(relay, up.out(), BodyRelay.Mode.AS_IS)
                    : relay.relay(session.in(), requestFraming, true, up.out(), BodyRelay.Mode.AS_IS);
            request.setBody(body);
            requestBodyDone = true;
            up.out().release();
        } catch (RelayException e) {
            if (e.isSourceFault()) {
                throw e;
            }
            // The origin stopped reading our body: it may have answered already (413, 401...), so look for that.
            up.markNotReusable();
            up.out().discard();
            Response early = readFinalResponse(up);
            throw new EarlyResponse(early);
        } finally {
            flow.addBytesFromClient(session.in().consumedCount() - before);
        }
    }

    /**
     * The Host to send: the client's own for an origin-form request (inside a tunnel) still going where it was read
     * for, as a CONNECT to an address may carry requests for a named virtual host; else the destination's authority
     * (an absolute-form target, or a rule sent the request elsewhere).
     */
    private String hostField(Destination asRead, Destination destination) {
        int host = request.headers().indexOf("Host", 0);
        boolean originForm = request.target().startsWith("/") || request.target().equals("*");
        boolean unmoved = asRead.scheme().equals(destination.scheme()) && asRead.host().equalsIgnoreCase(destination.host())
                && asRead.port() == destination.port();
        return originForm && unmoved && host >= 0 ? request.headers().value(host) : destination.authority();
    }

    /**
     * Reads the body of a request an addon held into memory: whole when it fits within the capture cap, else as far as
     * that goes (the rest follows when the request is sent). A Content-Length known to be over the cap, or a transfer
     * coding besides chunked (whose payload could not be sent on without it), is not read at all.
     */
    private void holdBody() throws IOException {
        int cap = ctx.settings().capture().maxBodyBytes();
        if (!HeldBody.mayFit(requestFraming, cap) || ResponseRelay.hasCodingBesidesChunked(request.headers())) {
            return; // not held: the body streams as usual once the request goes on
        }
        if (!requestBodyDone) {
            sendContinueIfAsked();
        }
        long before = session.in().consumedCount();
        try {
            held = HeldBody.read(session.in(), requestFraming, true, ctx.settings().limits(), cap, exchange.captures());
        } finally {
            flow.addBytesFromClient(session.in().consumedCount() - before);
        }
        if (held.isWhole()) {
            requestBodyDone = true;
            expectContinue = false;
            request.setBody(Body.of(held.bytes()));
            flow.markWholeBody(Flow.Side.REQUEST);
        }
    }

    /**
     * Frames a held request's body as it now stands (perhaps replaced by an addon) with a Content-Length: chunked
     * framing is gone once the body is in memory. A request that had no body and still has none is left alone.
     */
    private void frameHeldBody() {
        long length = request.body().size();
        HeldBody.fitFraming(request.headers(), length, !(requestFraming instanceof BodyFraming.None));
        requestFraming = length > 0 ? new BodyFraming.Fixed(length) : BodyFraming.NONE;
    }

    /** Sends a held body from memory; if the origin stops reading, looks for its early answer as a relay would. */
    private void writeHeldBody(UpstreamConnection up) throws IOException, ProtocolException {
        byte[] body = request.body().bytes();
        try {
            up.out().write(body, 0, body.length);
            up.out().release();
        } catch (IOException e) {
            up.markNotReusable();
            up.out().discard();
            throw new EarlyResponse(readFinalResponse(up));
        }
    }

    /** Reads the request body into the flow with nowhere to send it: a rule answers in the origin's place. */
    private void absorbBody() throws IOException {
        sendContinueIfAsked();
        long before = session.in().consumedCount();
        HttpOutput sink = new HttpOutput(OutputStream.nullOutputStream(), ctx.bodyBuffers());
        try {
            request.setBody(exchange.bodyRelay().relay(session.in(), requestFraming, true, sink, BodyRelay.Mode.AS_IS));
            requestBodyDone = true;
        } finally {
            sink.discard();
            flow.addBytesFromClient(session.in().consumedCount() - before);
        }
    }

    /** Tells a client that waits for it (Expect: 100-continue) to send its body, once. */
    private void sendContinueIfAsked() throws IOException {
        if (expectsContinueFromUs()) {
            out.writeLatin1("HTTP/1.1 100 Continue\r\n\r\n");
            out.flush();
            continueSent = true;
        }
    }

    private boolean expectsContinueFromUs() {
        return !continueSent && !client10 && request.headers().contains("Expect");
    }

    /** Waits briefly for the origin's 100 (Continue): returns a final response if it sent one instead, else null. */
    private Response awaitContinue(UpstreamConnection up) throws IOException, ProtocolException {
        up.setReadTimeout((int) ctx.settings().timeouts().expectContinue().toMillis());
        try {
            while (true) {
                Response r = ctx.responseParser().read(up.in());
                if (r.status() >= 200 || r.status() == 101) {
                    return r;
                }
                relayInterim(r);
                if (r.status() == 100) {
                    return null;
                }
            }
        } catch (SocketTimeoutException quiet) {
            return null; // the origin says nothing: tell the client to go ahead (RFC 9110 section 10.1.1)
        } finally {
            up.restoreReadTimeout();
        }
    }

    private Response readFinalResponse(UpstreamConnection up) throws IOException, ProtocolException {
        if (up.in().buffered() == 0) {
            // The answer usually comes within microseconds: letting the other exchanges run first means it is
            // often there when this one reads, which saves parking and being woken (a poller round trip).
            Thread.yield();
        }
        while (true) {
            Response r = ctx.responseParser().read(up.in());
            if (r.status() >= 200 || r.status() == 101) {
                return r;
            }
            relayInterim(r);
        }
    }

    /** Passes a 1xx on to an HTTP/1.1 client (never to a 1.0 one, RFC 9110 section 15.2), one 100 at most. */
    private void relayInterim(Response interim) throws IOException {
        if (client10 || (interim.status() == 100 && continueSent)) {
            return;
        }
        ForwardedHeads.writeInterim(out, interim, ctx.via(interim.version().number()));
        out.flush();
        if (interim.status() == 100) {
            continueSent = true;
        }
    }

    /** Whether every protocol an Upgrade field offers is h2c. */
    static boolean onlyH2c(java.util.List<String> upgrades) {
        for (String value : upgrades) {
            for (String protocol : value.split(",")) {
                if (!protocol.strip().equalsIgnoreCase("h2c")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The client's side broke while it sent its body. */
    private Outcome failSendingBody(RelayException e) throws IOException {
        return ClientBodyFaults.answer(exchange, e);
    }

    /** The origin answered while the body was still on its way; carries that answer out of the send. */
    private static final class EarlyResponse extends IOException {
        final transient Response response;

        EarlyResponse(Response response) {
            super("origin answered before the whole body was sent", null);
            this.response = response;
        }
    }
}
