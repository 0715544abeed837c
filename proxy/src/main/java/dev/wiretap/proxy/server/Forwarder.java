package dev.wiretap.proxy.server;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.BodyRelay;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.http1.ConnectionOptions;
import dev.wiretap.proxy.http1.ForwardedHeads;
import dev.wiretap.proxy.http1.ForwardedHeads.ClientConnection;
import dev.wiretap.proxy.http1.ForwardedHeads.Reframe;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.upstream.UpstreamException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;

/**
 * Forwards one plain-HTTP request to its origin and the response back, on the client's connection thread:
 * borrows an upstream connection, writes the request head and streams the body, relays interim responses, reads
 * the final response and streams it to the client, framed for the client's HTTP version, then gives the upstream
 * connection back to the pool if it can carry another exchange.
 *
 * <p>Made for one exchange and thrown away. Decides for that exchange whether the client connection may carry on.
 */
final class Forwarder {

    /** Methods that may be retried on a fresh connection when a pooled one turns out dead (RFC 9110 section 9.2.2). */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private final ClientSession session;
    private final ServerContext ctx;
    private final HttpOutput out;
    private Flow flow;
    private Request request;
    private BodyFraming requestFraming;
    private boolean client10;
    private boolean requestBodyDone;
    private boolean requestBodyStarted;
    private boolean expectContinue;
    private boolean continueSent;
    /** Where {@code out} stood when the bytes written to the client were last added to the flow. */

    Forwarder(ClientSession session) {
        this.session = session;
        this.ctx = session.context();
        this.out = session.out();
    }

    /** Serves {@code flow}; returns whether the client connection may carry another request. */
    boolean forward(Flow flow) throws IOException {
        this.flow = flow;
        this.request = flow.request();
        this.client10 = request.version() == HttpVersion.HTTP_1_0;
        try {
            requestFraming = BodyFraming.ofRequest(request);
        } catch (ProtocolException e) {
            return session.reject(flow, e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        requestBodyDone = requestFraming instanceof BodyFraming.None;
        int expect = request.headers().indexOf("Expect", 0);
        if (expect >= 0 && !client10) {
            if (request.headers().count("Expect") > 1 || !request.headers().valueIs(expect, "100-continue")) {
                return session.fail(flow, 417, "unsupported expectation '" + request.headers().value(expect) + "'",
                        FlowError.Kind.CLIENT_PROTOCOL, true);
            }
            expectContinue = !requestBodyDone;
        }
        if (isLastHop()) {
            return answerAsLastHop();
        }
        if (!runAddons(true)) {
            return false;
        }
        Destination destination = request.destination().orElseThrow();
        ConnectionOptions clientOptions = ConnectionOptions.of(request.headers());
        boolean upgrade = !client10 && clientOptions.upgrade() && request.headers().contains("Upgrade");
        Route route = Route.to(destination, ctx.settings().upstreamProxy());

        UpstreamConnection up;
        Response response;
        for (int attempt = 0; ; attempt++) {
            try {
                up = attempt == 0 ? ctx.pool().acquire(route, flow) : ctx.pool().open(route, flow);
                session.setUpstream(up.socket());
            } catch (UpstreamException e) {
                return failBeforeResponse(e, destination);
            }
            long mark = up.in().consumedCount();
            try {
                response = exchangeHeads(up, route, destination, expectContinue, upgrade);
                break;
            } catch (EarlyResponse e) {
                response = e.response; // relayed below; the unread rest of the body means closing after it
                break;
            } catch (RelayException e) {
                up.close();
                return failSendingBody(e);
            } catch (IOException | ProtocolException e) {
                boolean unanswered = up.in().consumedCount() == mark && up.in().buffered() == 0;
                up.close();
                if (out.hasFailed() && e instanceof IOException io) {
                    return failClientGone(io); // writing an interim response to the client failed: the client left
                }
                if (attempt == 0 && up.isReused() && unanswered && isReplayable() && !(e instanceof SocketTimeoutException)) {
                    continue; // a pooled connection the origin had closed: once more on a fresh one
                }
                return failBeforeResponse(e, destination);
            }
        }
        return relayResponse(up, response, destination, upgrade);
    }

    /**
     * Sends the request (head, then body) and returns the final response head, relaying interim ones. With
     * {@code Expect: 100-continue} the body waits for the origin's 100, or the expect-continue timeout.
     */
    private Response exchangeHeads(UpstreamConnection up, Route route, Destination destination, boolean expectContinue,
                                   boolean upgrade) throws IOException, ProtocolException {
        long sendStart = System.nanoTime();
        HttpOutput upOut = up.out();
        ForwardedHeads.writeRequest(upOut, request, destination, route.sendsAbsoluteForm(),
                ctx.via(request.version().number()), upgrade, client10);
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
        if (expectsContinueFromUs()) {
            out.writeLatin1("HTTP/1.1 100 Continue\r\n\r\n");
            out.flush();
            continueSent = true;
        }
        long before = session.in().consumedCount();
        BodyRelay relay = ctx.bodyRelay();
        try {
            Body body = relay.relay(session.in(), requestFraming, true, up.out(), BodyRelay.Mode.AS_IS);
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

    private boolean relayResponse(UpstreamConnection up, Response response, Destination destination, boolean upgrade)
            throws IOException {
        flow.setResponse(response);
        if (!runAddons(false)) {
            up.close();
            return false;
        }
        ctx.events().publish(new FlowEvent.Responded(flow));
        long headAt = System.nanoTime();
        if (response.status() == 101) {
            return upgrade(up, response, destination, upgrade);
        }
        BodyFraming framing;
        try {
            framing = BodyFraming.ofResponse(request.method(), response);
        } catch (ProtocolException e) {
            up.close();
            return session.fail(flow, 502, e.reason() + " (" + destination.hostPort() + ")", FlowError.Kind.UPSTREAM_PROTOCOL, !requestBodyDone);
        }
        ConnectionOptions origin = ConnectionOptions.of(response.headers());
        boolean originKeeps = !origin.close() && framing.isSelfDelimited()
                && (response.version() == HttpVersion.HTTP_1_1 || origin.keepAlive());
        if (!originKeeps) {
            up.markNotReusable();
        }
        boolean keepClient = requestBodyDone && !ClientSession.wantsClose(request) && !session.isDraining();
        BodyRelay.Mode mode = BodyRelay.Mode.AS_IS;
        Reframe reframe = Reframe.NONE;
        if (framing instanceof BodyFraming.Chunked && client10) {
            if (hasCodingBesidesChunked(response.headers())) {
                up.close();
                return session.fail(flow, 502, "origin " + destination.hostPort() + " used a transfer coding ("
                        + String.join(", ", response.headers().all("Transfer-Encoding"))
                        + ") that an HTTP/1.0 client cannot receive", FlowError.Kind.UPSTREAM_PROTOCOL, true);
            }
            mode = BodyRelay.Mode.DECHUNK;
            reframe = Reframe.UNTIL_CLOSE;
            keepClient = false;
        } else if (framing instanceof BodyFraming.UntilClose) {
            if (client10) {
                keepClient = false;
            } else {
                mode = BodyRelay.Mode.CHUNK;
                reframe = Reframe.CHUNKED;
            }
        }
        ClientConnection connection = !keepClient ? ClientConnection.CLOSE
                : client10 ? ClientConnection.KEEP_ALIVE : ClientConnection.NOTHING;
        BodyRelay relay = ctx.bodyRelay();
        long headMark = out.bytesWritten();
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(response.version().number()), reframe, connection);
            response.setBody(relay.relay(up.in(), framing, false, out, mode));
        } catch (RelayException e) {
            up.close();
            if (e.isSourceFault() && e.bytesRelayed() == 0 && out.retract(headMark)) {
                // The body broke before its first byte and nothing has reached the client, which can still be told
                // that the origin's response was invalid (RFC 9110 section 15.6.3) rather than be cut off.
                return failBeforeResponse(e.getCause() instanceof Exception cause ? cause : e, destination);
            }
            return failMidResponse(e, destination);
        } catch (IOException e) {
            up.close();
            return failClientGone(e);
        }
        // The origin's side is done: the connection goes back before the client's last bytes leave, so a client
        // that reconnects at once finds it in the pool.
        ctx.pool().release(up);
        try {
            out.flush();
        } catch (IOException e) {
            return failClientGone(e);
        }
        long end = System.nanoTime();
        flow.setReceiveNanos(end - headAt);
        flow.complete(end);
        session.publishEnd(flow);
        return keepClient;
    }

    private boolean failClientGone(IOException e) {
        flow.fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, "client went away during the response: " + e.getMessage()), System.nanoTime());
        session.publishEnd(flow);
        return false;
    }

    /**
     * True if a transfer coding other than chunked was applied (e.g. {@code gzip, chunked}): de-chunking alone would
     * hand an HTTP/1.0 client, which has no Transfer-Encoding, a body it cannot know is still coded.
     */
    private static boolean hasCodingBesidesChunked(Headers headers) {
        for (String value : headers.all("Transfer-Encoding")) {
            for (String coding : value.split(",")) {
                String c = coding.strip();
                if (!c.isEmpty() && !c.equalsIgnoreCase("chunked")) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean upgrade(UpstreamConnection up, Response response, Destination destination, boolean requested) throws IOException {
        if (!requested) {
            up.close();
            return session.fail(flow, 502, "origin " + destination.hostPort() + " switched protocols without being asked",
                    FlowError.Kind.UPSTREAM_PROTOCOL, true);
        }
        up.markNotReusable();
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(response.version().number()), Reframe.NONE, ClientConnection.UPGRADE);
            out.flush();
        } catch (IOException e) {
            up.close();
            flow.fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, "client went away before the 101: " + e.getMessage()), System.nanoTime());
            session.publishEnd(flow);
            return false;
        }
        flow.markTunnelled();
        long start = System.nanoTime();
        Splice.Result moved = new Splice(ctx.bodyBuffers(), ctx.directBuffers(), ctx.watchdog(), ctx.settings().timeouts().tunnelIdle())
                .run(session.socket(), session.in(), up.socket(), up.in());
        up.close();
        flow.addBytesFromClient(moved.aToB());
        flow.addBytesToClient(moved.bToA());
        flow.setReceiveNanos(System.nanoTime() - start);
        flow.complete(System.nanoTime());
        session.publishEnd(flow);
        return false;
    }

    /** Something failed before any response reached the client: answer with a 502/504 that names the cause. */
    private boolean failBeforeResponse(Exception e, Destination destination) throws IOException {
        String origin = destination.hostPort();
        boolean close = !requestBodyDone;
        if (e instanceof UpstreamException u) {
            if (u.kind() == FlowError.Kind.LOOP && ctx.settings().upstreamProxy().isEmpty()) {
                return new SelfPage(session).answer(flow); // the URL names wiretap by another name: its own page
            }
            return session.fail(flow, u.status(), u.getMessage(), u.kind(), close);
        }
        if (e instanceof SocketTimeoutException) {
            return session.fail(flow, 504, "origin " + origin + " did not answer within "
                    + LocalResponse.duration(ctx.settings().timeouts().upstreamRead()), FlowError.Kind.UPSTREAM_TIMEOUT, close);
        }
        if (e instanceof ProtocolException p) {
            return session.fail(flow, 502, "bad response from " + origin + ": " + p.reason(), FlowError.Kind.UPSTREAM_PROTOCOL, close);
        }
        if (e instanceof EOFException) {
            return session.fail(flow, 502, "origin " + origin + " closed the connection without a complete response",
                    FlowError.Kind.UPSTREAM_CLOSED, close);
        }
        if (e instanceof SocketException) {
            return session.fail(flow, 502, "origin " + origin + " reset the connection (" + e.getMessage() + ")",
                    FlowError.Kind.UPSTREAM_CLOSED, close);
        }
        return session.fail(flow, 502, "error talking to origin " + origin + ": " + e.getMessage(), FlowError.Kind.UPSTREAM_CLOSED, close);
    }

    /** The client's side broke while it sent its body. */
    private boolean failSendingBody(RelayException e) throws IOException {
        if (e.isProtocolFault()) {
            return session.reject(flow, 400, e.getMessage(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (e.isTimeout()) {
            return session.reject(flow, 408, "the request body stalled for "
                    + LocalResponse.duration(ctx.settings().timeouts().clientRead()), FlowError.Kind.CLIENT_TIMEOUT);
        }
        flow.fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, "client went away while sending the body: " + e.getMessage()), System.nanoTime());
        session.publishEnd(flow);
        return false;
    }

    /** The response head is out; the body broke. The client must not mistake what it got for a whole response. */
    private boolean failMidResponse(RelayException e, Destination destination) {
        FlowError error;
        if (!e.isSourceFault()) {
            error = new FlowError(FlowError.Kind.CLIENT_CLOSED, "client went away during the response after " + e.bytesRelayed() + " body bytes");
        } else {
            session.abort();
            String origin = destination.hostPort();
            if (e.isTimeout()) {
                error = new FlowError(FlowError.Kind.UPSTREAM_TIMEOUT, "origin " + origin + " stalled mid-body after " + e.bytesRelayed() + " bytes");
            } else if (e.isProtocolFault()) {
                error = new FlowError(FlowError.Kind.UPSTREAM_PROTOCOL, "origin " + origin + " broke the body framing: " + e.getMessage());
            } else {
                error = new FlowError(FlowError.Kind.UPSTREAM_CLOSED, "origin " + origin + " closed the connection mid-body after "
                        + e.bytesRelayed() + " bytes: " + e.getMessage());
            }
        }
        flow.fail(error, System.nanoTime());
        session.publishEnd(flow);
        return false;
    }

    /**
     * True for a TRACE or OPTIONS with {@code Max-Forwards: 0}, which wiretap answers itself; for a higher count
     * the count goes down by one on the way out (RFC 9110 section 7.6.2).
     */
    private boolean isLastHop() {
        if (!request.isMethod("TRACE") && !request.isMethod("OPTIONS")) {
            return false;
        }
        Headers h = request.headers();
        int i = h.indexOf("Max-Forwards", 0);
        if (i < 0) {
            return false;
        }
        String value = h.value(i);
        if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false; // not a count: passed on untouched
        }
        int hops = Integer.parseInt(value);
        if (hops > 0) {
            h.set("Max-Forwards", Integer.toString(hops - 1));
        }
        return hops == 0;
    }

    /** Answers as the final recipient: TRACE echoes the request head as it arrived, OPTIONS gets a bare 200. */
    private boolean answerAsLastHop() throws IOException {
        boolean trace = request.isMethod("TRACE");
        LocalResponse answer = new LocalResponse(200, "OK", trace ? "message/http" : "text/plain",
                trace ? request.wireHead() : new byte[0]);
        boolean keep = requestBodyDone && !ClientSession.wantsClose(request) && !session.isDraining();
        session.sendLocal(flow, answer, !keep);
        flow.complete(System.nanoTime());
        session.publishEnd(flow);
        return keep;
    }

    /** Runs the addons' request or response hook; an addon that throws fails the exchange with a 500. */
    private boolean runAddons(boolean requestHook) throws IOException {
        for (Addon addon : ctx.addons()) {
            try {
                if (requestHook) {
                    addon.onRequestHead(flow);
                } else {
                    addon.onResponseHead(flow);
                }
            } catch (RuntimeException e) {
                // Both hooks run before anything of the final response has gone to the client, so a 500 can still
                // take its place (interim responses before it are complete messages of their own).
                session.fail(flow, 500, "addon " + addon.name() + " failed: " + e, FlowError.Kind.INTERNAL, true);
                return false;
            }
        }
        return true;
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
