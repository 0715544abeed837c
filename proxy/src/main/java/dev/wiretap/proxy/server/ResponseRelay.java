package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.BodyRelay;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.http1.ConnectionOptions;
import dev.wiretap.proxy.http1.ForwardedHeads;
import dev.wiretap.proxy.http1.ForwardedHeads.ClientConnection;
import dev.wiretap.proxy.http1.ForwardedHeads.Reframe;
import dev.wiretap.proxy.http1.HeldBody;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.io.Pacer;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.WebSocketMessages;
import dev.wiretap.proxy.websocket.AgreedExtensions;
import dev.wiretap.proxy.websocket.Handshake;
import dev.wiretap.proxy.websocket.WebSocketTap;
import java.io.IOException;

/**
 * The response half of a forwarded exchange: records the final response head, runs the addons' response hook,
 * frames the body for the client's HTTP version (RFC 9112 section 6.3), streams it, and gives the upstream connection
 * back to the pool when it can carry another exchange. A 101 turns the exchange into a spliced connection, whose
 * WebSocket messages are read as they pass ({@link WebSocketTap}). A response an addon held is read into memory first
 * (within the capture cap) and its held hook runs before any of it is sent. A body that streams for a while is shown
 * growing: its capture is the response's body meanwhile, and the exchange tells of its progress.
 *
 * <p>Made by the {@link Forwarder} for one exchange, on the client connection's thread. The upstream connection is the
 * {@link Exchange}'s: this class gives it back (or closes it) through the exchange as soon as the origin's side is done.
 */
final class ResponseRelay {

    private final Exchange exchange;
    private final ClientSession session;
    private final ServerContext ctx;
    private final HttpOutput out;
    private final LiveFlow flow;
    private final Request request;
    private final Destination destination;
    private final boolean client10;
    private final boolean requestBodyDone;

    /**
     * @param requestBodyDone whether the request's body was read to its end (if not, the connection must close)
     */
    ResponseRelay(Exchange exchange, ClientSession session, Destination destination, boolean requestBodyDone) {
        this.exchange = exchange;
        this.session = session;
        this.ctx = exchange.context();
        this.out = session.out();
        this.flow = exchange.flow();
        this.request = flow.request();
        this.destination = destination;
        this.client10 = request.version() == HttpVersion.HTTP_1_0;
        this.requestBodyDone = requestBodyDone;
    }

    /**
     * Relays {@code response} (its head already read from {@code up}, the exchange's upstream connection) and its body
     * to the client. Returns what the client connection does next.
     *
     * @param upgradeRequested whether the client asked to upgrade (only then may a 101 pass)
     */
    Outcome relay(UpstreamConnection up, Response response, boolean upgradeRequested) throws IOException {
        flow.setResponse(response);
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, true)) {
            exchange.closeUpstream();
            return exchange.closing();
        }
        exchange.responded();
        long headAt = System.nanoTime();
        if (response.status() == 101) {
            return upgrade(up, response, upgradeRequested);
        }
        BodyFraming framing;
        try {
            framing = BodyFraming.ofResponse(request.method(), response);
        } catch (ProtocolException e) {
            exchange.closeUpstream();
            return exchange.failWith(502, e.reason() + " (" + destination.hostPort() + ")", FlowError.Kind.UPSTREAM_PROTOCOL,
                    !requestBodyDone);
        }
        ConnectionOptions origin = ConnectionOptions.of(response.headers());
        boolean originKeeps = !origin.close() && framing.isSelfDelimited()
                && (response.version() == HttpVersion.HTTP_1_1 || origin.keepAlive());
        if (!originKeeps) {
            up.markNotReusable();
        }
        return flow.isHeld(Flow.Side.RESPONSE) ? relayHeld(up, response, framing, headAt)
                : relayBody(up, response, framing, null, headAt);
    }

    /**
     * A response an addon held at its head: its body is read into memory first when it fits within the capture cap
     * (the origin's connection then goes back at once), and the held hook runs before any of it is sent.
     */
    private Outcome relayHeld(UpstreamConnection up, Response response, BodyFraming framing, long headAt) throws IOException {
        HeldBody held = null;
        int cap = ctx.settings().capture().maxBodyBytes();
        if (HeldBody.mayFit(framing, cap) && !hasCodingBesidesChunked(response.headers())) {
            try {
                held = HeldBody.read(up.in(), framing, false, ctx.settings().limits(), cap, exchange.captures());
            } catch (RelayException e) {
                exchange.closeUpstream();
                return OriginFailures.answer(exchange, session, e.getCause() instanceof Exception cause ? cause : e,
                        destination, !requestBodyDone);
            }
            if (held.isWhole()) {
                response.setBody(Body.of(held.bytes()));
                flow.markWholeBody(Flow.Side.RESPONSE);
                exchange.releaseUpstream(); // the origin is done with: it need not wait for the user
            }
        }
        // From here a connection given back above stays given back: closing it is then a no-op.
        if (!exchange.runHook(Exchange.Hook.RESPONSE, true)) {
            exchange.closeUpstream();
            return exchange.closing();
        }
        if (flow.dropReason().isPresent()) {
            exchange.closeUpstream();
            return exchange.drop();
        }
        if (held != null && held.isWhole()) {
            return sendHeld(headAt);
        }
        return relayBody(up, response, framing, held, headAt);
    }

    /**
     * Writes the response head framed for the client's version and streams the body (what is left of it after
     * {@code held}, if not null), then gives the upstream connection back and ends the flow.
     */
    private Outcome relayBody(UpstreamConnection up, Response response, BodyFraming framing, HeldBody held, long headAt)
            throws IOException {
        boolean keepClient = exchange.mayKeep(requestBodyDone);
        BodyRelay.Mode mode = BodyRelay.Mode.AS_IS;
        Reframe reframe = Reframe.NONE;
        if (framing instanceof BodyFraming.Chunked && client10) {
            if (hasCodingBesidesChunked(response.headers())) {
                exchange.closeUpstream();
                return exchange.failWith(502, "origin " + destination.hostPort() + " used a transfer coding ("
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
        long headMark = out.bytesWritten();
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(response.version().number()), reframe, connection);
            BodyRelay relay = exchange.bodyRelay();
            if (held == null) {
                relay.watchedBy(new LiveBody(response, headAt)); // a held body's rest is not the whole body: not shown
            }
            long down = flow.throttle().map(Throttle::downBytesPerSecond).orElse(0L);
            if (down > 0) {
                relay.pacedBy(new Pacer(down), headMark); // the head counts against the rate too
            }
            response.setBody(held != null
                    ? held.relayRest(relay, out, mode)
                    : relay.relay(up.in(), framing, false, out, mode));
        } catch (RelayException e) {
            exchange.closeUpstream();
            if (e.isSourceFault() && e.bytesRelayed() == 0 && out.retract(headMark)) {
                // The body broke before its first byte and nothing has reached the client, which can still be told
                // that the origin's response was invalid (RFC 9110 section 15.6.3) rather than be cut off.
                return OriginFailures.answer(exchange, session, e.getCause() instanceof Exception cause ? cause : e,
                        destination, !requestBodyDone);
            }
            return failMidResponse(e);
        } catch (IOException e) {
            exchange.closeUpstream();
            return exchange.failClientGone("client went away during the response: " + e.getMessage());
        }
        // The origin's side is done: the connection goes back before the client's last bytes leave, so a client
        // that reconnects at once finds it in the pool.
        exchange.releaseUpstream();
        try {
            out.flush();
        } catch (IOException e) {
            return exchange.failClientGone("client went away during the response: " + e.getMessage());
        }
        return completed(headAt, keepClient);
    }

    /** The response has gone to the client whole: the flow ends (published); returns whether the client stays. */
    private Outcome completed(long headAt, boolean keepClient) {
        long end = System.nanoTime();
        flow.setReceiveNanos(end - headAt);
        exchange.complete(end);
        return keepClient ? Outcome.KEEP : Outcome.CLOSE;
    }

    /**
     * Sends a held response whose body is in memory (perhaps replaced by an addon), framed with a Content-Length
     * whatever framing the origin used; the origin connection has already gone back to the pool.
     */
    private Outcome sendHeld(long headAt) throws IOException {
        Response response = flow.response().orElseThrow();
        int status = response.status();
        boolean hasBody = !request.isMethod("HEAD") && status >= 200 && status != 204 && status != 304;
        byte[] body = hasBody ? response.body().bytes() : new byte[0];
        if (hasBody) {
            HeldBody.fitFraming(response.headers(), body.length, true);
        }
        boolean keepClient = exchange.mayKeep(requestBodyDone);
        ClientConnection connection = !keepClient ? ClientConnection.CLOSE
                : client10 ? ClientConnection.KEEP_ALIVE : ClientConnection.NOTHING;
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(response.version().number()), Reframe.NONE, connection);
            out.write(body, 0, body.length);
            out.flush();
        } catch (IOException e) {
            return exchange.failClientGone("client went away during the response: " + e.getMessage());
        }
        return completed(headAt, keepClient);
    }

    /**
     * True if a transfer coding other than chunked was applied (e.g. {@code gzip, chunked}): de-chunking alone would
     * hand an HTTP/1.0 client, which has no Transfer-Encoding, a body it cannot know is still coded.
     */
    static boolean hasCodingBesidesChunked(Headers headers) {
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

    /** A 101: the client's connection and the origin's are spliced until both sides are done; then both close. */
    private Outcome upgrade(UpstreamConnection up, Response response, boolean requested) throws IOException {
        if (!requested) {
            exchange.closeUpstream();
            return exchange.failWith(502, "origin " + destination.hostPort() + " switched protocols without being asked",
                    FlowError.Kind.UPSTREAM_PROTOCOL, true);
        }
        up.markNotReusable();
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(response.version().number()), Reframe.NONE, ClientConnection.UPGRADE);
            out.flush();
        } catch (IOException e) {
            exchange.closeUpstream();
            return exchange.failClientGone("client went away before the 101: " + e.getMessage());
        }
        flow.markTunnelled();
        long start = System.nanoTime();
        WebSocketTap tap = webSocketTap(response);
        Splice.Result moved;
        try {
            moved = new Splice(ctx.bodyBuffers(), ctx.directBuffers(), ctx.watchdog(), ctx.settings().timeouts().tunnelIdle())
                    .run(session.socket(), session.in(), up.socket(), up.in(), tap);
        } finally {
            if (tap != null) {
                tap.close();
            }
        }
        exchange.closeUpstream();
        flow.addBytesFromClient(moved.aToB());
        flow.addBytesToClient(moved.bToA());
        flow.setReceiveNanos(System.nanoTime() - start);
        exchange.complete();
        return Outcome.CLOSE;
    }

    /**
     * The tap that reads the messages of a WebSocket the 101 accepted, with the flow made a WebSocket; null for any
     * other upgrade, and for a WebSocket with an extension wiretap cannot read (then relayed unread, with a note).
     */
    private WebSocketTap webSocketTap(Response response) {
        if (!Handshake.isAccepted(response)) {
            return null;
        }
        AgreedExtensions extensions = AgreedExtensions.of(response.headers());
        if (!extensions.isReadable()) {
            flow.addNote("the WebSocket uses an extension wiretap cannot read (" + extensions.unknown()
                    + "): its frames are relayed unread");
            return null;
        }
        var capture = ctx.settings().capture();
        flow.startWebSocket(new WebSocketMessages(capture.maxMessages(), capture.maxMessageBytesKept()));
        return new WebSocketTap(flow, extensions, capture.maxBodyBytes(), ctx.settings().limits().maxWebSocketMessageBytes(),
                exchange.holdsWebSocket(), exchange::runMessageHook, exchange::progressed);
    }

    /**
     * Shows a response body while it streams: its capture is the response's body meanwhile, and once it has streamed
     * for {@link dev.wiretap.proxy.event.FlowEvent#PROGRESS_MILLIS} ms the exchange tells of its progress (a quick body
     * costs no event).
     */
    private final class LiveBody implements BodyRelay.Watcher {
        private final Response response;
        private final long liveAfterNanos;

        LiveBody(Response response, long headAt) {
            this.response = response;
            this.liveAfterNanos = headAt + dev.wiretap.proxy.event.FlowEvent.PROGRESS_MILLIS * 1_000_000;
        }

        @Override
        public void started(BodyCapture capture) {
            response.setGrowingBody(capture);
        }

        @Override
        public void grew() {
            if (System.nanoTime() - liveAfterNanos >= 0) {
                exchange.progressed();
            }
        }
    }

    /** The response head is out; the body broke. The client must not mistake what it got for a whole response. */
    private Outcome failMidResponse(RelayException e) {
        if (!e.isSourceFault()) {
            return exchange.failClientGone("client went away during the response after " + e.bytesRelayed() + " body bytes");
        }
        String origin = destination.hostPort();
        FlowError error;
        if (e.isTimeout()) {
            error = new FlowError(FlowError.Kind.UPSTREAM_TIMEOUT, "origin " + origin + " stalled mid-body after " + e.bytesRelayed() + " bytes");
        } else if (e.isProtocolFault()) {
            error = new FlowError(FlowError.Kind.UPSTREAM_PROTOCOL, "origin " + origin + " broke the body framing: " + e.getMessage());
        } else {
            error = new FlowError(FlowError.Kind.UPSTREAM_CLOSED, "origin " + origin + " closed the connection mid-body after "
                    + e.bytesRelayed() + " bytes: " + e.getMessage());
        }
        return exchange.abort(error);
    }
}
