package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.io.BodyPace;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import dev.wiretap.proxy.upstream.UpstreamLease;
import java.io.IOException;

/**
 * What the relays of a client's HTTP/2 stream share, whatever the origin speaks: the request as the client sent it
 * (perhaps held whole), the response head going out as HEADERS, and how a failure is reported (a 502 before the head,
 * a reset after it). {@link StreamToHttp1} and {@link StreamToHttp2} move the messages.
 *
 * <p>Made by the {@link StreamExchange} for one attempt, on the stream's thread.
 */
abstract class StreamRelay {

    /** A lease that failed before the origin could have acted on the request: the request may go again on a fresh one. */
    static final class Retry extends Exception {
        private final Exception cause;

        Retry(Exception cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }

        Exception cause() {
            return cause;
        }
    }

    protected final Exchange exchange;
    protected final Http2Stream stream;
    protected final ServerContext ctx;
    protected final LiveFlow flow;
    protected final Request request;
    protected final Destination destination;
    protected final String authority;
    /** The request body in memory (an addon held it whole), or null: then it streams from the client. */
    protected final byte[] heldBody;
    /** Bytes of the body read already (held, but it did not fit), to go first; or null. */
    protected final byte[] partialBody;

    StreamRelay(Exchange exchange, StreamDownstream client, Destination destination, String authority, byte[] heldBody,
                byte[] partialBody) {
        this.exchange = exchange;
        this.stream = client.stream();
        this.ctx = exchange.context();
        this.flow = exchange.flow();
        this.request = flow.request();
        this.destination = destination;
        this.authority = authority;
        this.heldBody = heldBody;
        this.partialBody = partialBody;
    }

    /** Sends the request over {@code lease} and the response back to the client; returns what the stream does next. */
    abstract Outcome relay(UpstreamLease lease) throws IOException, Retry;

    /**
     * Runs the addons' hook on a held response, and stops the request's pump when the exchange ends there: the outcome
     * when the hook closed or dropped the exchange, else null (the response goes on).
     */
    protected Outcome afterResponseHook(RequestPump pump) throws IOException {
        if (!exchange.runHook(Exchange.Hook.RESPONSE, true)) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.closing();
        }
        if (flow.dropReason().isPresent()) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.drop();
        }
        return null;
    }

    /** Stops a request body still being copied: the origin's side closed and the client's stream reset. */
    protected void stopPump(RequestPump pump) throws IOException {
        if (pump == null || pump.isDone()) {
            return;
        }
        exchange.closeUpstream();
        stream.reset(dev.wiretap.proxy.http2.ErrorCode.NO_ERROR);
        pump.join();
    }

    /** Whether a body follows the request's head (as far as is known: the client may still end it empty). */
    protected boolean requestHasBody() {
        if (heldBody != null) {
            return heldBody.length > 0;
        }
        return partialBody != null || !stream.isRemoteEnded() || stream.hasBufferedData();
    }

    /** The body's length when known: a held body's, or the client's Content-Length; else -1. */
    protected long requestLength() {
        if (heldBody != null) {
            return heldBody.length;
        }
        Long declared = StreamExchange.declaredLength(request.headers());
        return declared == null ? -1 : declared;
    }

    /** This hop's Via entry for a message received in {@code version}'s number, or null. */
    protected String via(String versionNumber) {
        return ctx.via(versionNumber);
    }

    /** The response head to the client: {@code :status}, the fields that cross, a Content-Length when known. */
    protected void sendHead(Response response, long length, boolean endStream) throws IOException {
        sendHead(response, length, endStream, true);
    }

    /** As above; without {@code flush} when the body follows at once (it is in hand), so both leave in one write. */
    protected void sendHead(Response response, long length, boolean endStream, boolean flush) throws IOException {
        stream.sendHeaders(Http2Fields.responseHead(response.status(), response.headers(), length,
                via(response.version().number())), endStream, flush);
    }

    /** The client's stream broke (a cancel, or it stopped reading): the origin's side is closed and the flow ends. */
    protected Outcome clientGone(IOException e) throws IOException {
        exchange.closeUpstream();
        if (e instanceof BodyPace.TooSlow) {
            // The client is there but too slow: told so with a 408 while no response has begun, else cut off.
            return flow.response().isEmpty() ? exchange.failWith(408, e.getMessage(), FlowError.Kind.CLIENT_TIMEOUT, true)
                    : exchange.abort(new FlowError(FlowError.Kind.CLIENT_TIMEOUT, e.getMessage()));
        }
        return exchange.failClientGone(stream.isReset()
                ? "the client cancelled the stream (" + e.getMessage() + ")"
                : "client stream failed: " + e.getMessage());
    }

    /** The origin's body broke after the head went out: the client's stream is reset, so it cannot take it for whole. */
    protected Outcome originBrokeMidBody(String why, long relayed) {
        exchange.closeUpstream();
        return exchange.abort(new FlowError(FlowError.Kind.UPSTREAM_CLOSED, "origin " + destination.hostPort()
                + " broke off the response after " + relayed + " body bytes: " + why));
    }

    /** Whether the client reset its stream (what made a read or write on the origin's side fail, if so). */
    protected boolean clientCancelled() {
        return stream.isReset();
    }
}
