package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.BodyRelay;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.http1.ConnectionOptions;
import dev.wiretap.proxy.http1.ForwardedHeads;
import dev.wiretap.proxy.http1.HeldBody;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.upstream.UpstreamConnection;
import dev.wiretap.proxy.upstream.UpstreamLease;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * A client's HTTP/2 stream forwarded over an HTTP/1.1 connection (RFC 9113 section 8 translation): the request head
 * written as HTTP/1.1 (Host from {@code :authority}, cookies joined, chunked when the length is not known), the body
 * copied by a {@link RequestPump} while the response is awaited, the response head sent as HEADERS and its body,
 * de-chunked, as DATA. Interim responses are not passed on. Trailers of a chunked response are not kept.
 *
 * <p>Made for one attempt, on the stream's thread.
 */
final class StreamToHttp1 extends StreamRelay {

    StreamToHttp1(Exchange exchange, StreamDownstream client, Destination destination, String authority, byte[] heldBody,
                  byte[] partialBody) {
        super(exchange, client, destination, authority, heldBody, partialBody);
    }

    @Override
    Outcome relay(UpstreamLease lease) throws IOException, Retry {
        UpstreamConnection up = (UpstreamConnection) lease;
        boolean hasBody = requestHasBody();
        long length = requestLength();
        boolean chunked = hasBody && length < 0;
        Headers fields = Http2Fields.forHttp1(request.headers());
        if (heldBody != null) {
            fields.removeAll("content-length");
            if (heldBody.length > 0 || request.headers().contains("content-length")) {
                fields.add("content-length", Integer.toString(heldBody.length));
            }
        }
        long mark = up.in().consumedCount();
        long sendStart = System.nanoTime();
        RequestPump pump = null;
        Response response;
        try {
            ForwardedHeads.writeTranslatedRequest(up.out(), request.method(), destination.pathAndQuery(), authority, fields,
                    via(HttpVersion.HTTP_2.number()), chunked);
            if (heldBody != null) {
                up.out().write(heldBody, 0, heldBody.length);
            }
            if (!hasBody || heldBody != null) {
                up.out().release();
            } else {
                up.out().flush();
                pump = new RequestPump(flow, stream.body(), partialBody, sink(up.out(), chunked, length),
                        exchange.captures(), exchange::cutOff);
                pump.start();
            }
            long sendEnd = System.nanoTime();
            flow.setSendNanos(sendEnd - sendStart);
            response = readFinalResponse(up);
            flow.setWaitNanos(System.nanoTime() - sendEnd);
        } catch (IOException | ProtocolException e) {
            boolean unanswered = up.in().consumedCount() == mark && up.in().buffered() == 0;
            exchange.closeUpstream();
            if (pump != null && pump.sourceFailure() != null) {
                pump.join(); // it failed on the client's side and is ending; the stream is left to answer on (a 408)
                return clientGone(pump.sourceFailure());
            }
            stopPump(pump);
            if (clientCancelled()) {
                return clientGone(e instanceof IOException io ? io : new IOException(e.getMessage()));
            }
            if (pump != null && pump.sourceFailure() != null) {
                return clientGone(pump.sourceFailure());
            }
            if (up.isReused() && unanswered && pump == null && !(e instanceof SocketTimeoutException)) {
                throw new Retry(e); // a pooled connection the origin had closed
            }
            return OriginFailures.answer(exchange, () -> exchange.failWith(508, "the request would lead back to wiretap itself",
                    FlowError.Kind.LOOP, false), e, destination, false);
        }
        return respond(up, response, pump);
    }

    /** Where the pump writes: the HTTP/1.1 connection, in chunks or checked against the declared length. */
    private static RequestPump.Sink sink(HttpOutput out, boolean chunked, long length) {
        return new RequestPump.Sink() {
            private long sent;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                sent += len;
                if (chunked) {
                    out.writeHex(len);
                    out.crlf();
                    out.write(b, off, len);
                    out.crlf();
                } else {
                    if (sent > length) {
                        throw new RequestPump.ClientFault("the client sent more body than its content-length of " + length);
                    }
                    out.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void finish(long total) throws IOException {
                if (chunked) {
                    out.writeLatin1("0\r\n\r\n");
                } else if (total != length) {
                    // RFC 9113 section 8.1.1: a content-length that the DATA does not match makes the request malformed.
                    throw new RequestPump.ClientFault("the client's body was " + total + " bytes, not its content-length of "
                            + length);
                }
                out.release();
            }
        };
    }

    private Response readFinalResponse(UpstreamConnection up) throws IOException, ProtocolException {
        while (true) {
            Response r = ctx.responseParser().read(up.in());
            if (r.status() >= 200 || r.status() == 101) {
                return r;
            }
        }
    }

    private Outcome respond(UpstreamConnection up, Response response, RequestPump pump) throws IOException {
        flow.setResponse(response);
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, true)) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.closing();
        }
        exchange.responded();
        long headAt = System.nanoTime();
        if (response.status() == 101) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.failWith(502, "origin " + destination.hostPort() + " switched protocols, which HTTP/2 cannot carry",
                    FlowError.Kind.UPSTREAM_PROTOCOL, false);
        }
        BodyFraming framing;
        try {
            framing = dev.wiretap.proxy.http1.BodyFraming.ofResponse(request.method(), response);
        } catch (ProtocolException e) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.failWith(502, e.reason() + " (" + destination.hostPort() + ")", FlowError.Kind.UPSTREAM_PROTOCOL, false);
        }
        ConnectionOptions origin = ConnectionOptions.of(response.headers());
        if (origin.close() || !framing.isSelfDelimited()
                || (response.version() != HttpVersion.HTTP_1_1 && !origin.keepAlive())) {
            up.markNotReusable();
        }
        HeldBody held = null;
        if (flow.isHeld(Flow.Side.RESPONSE)) {
            int cap = ctx.settings().capture().maxBodyBytes();
            if (HeldBody.mayFit(framing, cap) && !ResponseRelay.hasCodingBesidesChunked(response.headers())) {
                try {
                    held = HeldBody.read(up.in(), framing, false, ctx.settings().limits(), cap, exchange.captures());
                } catch (RelayException e) {
                    exchange.closeUpstream();
                    stopPump(pump);
                    return exchange.failWith(502, "origin " + destination.hostPort() + " broke off the response: "
                            + e.getMessage(), FlowError.Kind.UPSTREAM_CLOSED, false);
                }
                if (held.isWhole()) {
                    response.setBody(Body.of(held.bytes()));
                    flow.markWholeBody(Flow.Side.RESPONSE);
                }
            }
            Outcome ended = afterResponseHook(pump);
            if (ended != null) {
                return ended;
            }
        }
        try {
            if (held != null && held.isWhole()) {
                byte[] body = response.body().bytes();
                boolean noBody = body.length == 0 || request.isMethod("HEAD");
                sendHead(response, body.length, noBody);
                if (!noBody) {
                    stream.sendData(body, 0, body.length, true);
                }
            } else {
                long length = framing instanceof BodyFraming.Fixed f ? f.length()
                        : framing instanceof BodyFraming.None ? declaredOrUnknown(response) : -1;
                boolean none = framing instanceof BodyFraming.None;
                sendHead(response, length, none);
                if (!none) {
                    HttpOutput out = new HttpOutput(stream.bodyOutput(), ctx.headBuffers());
                    try {
                        BodyRelay relay = exchange.bodyRelay();
                        response.setBody(held != null
                                ? held.relayRest(relay, out, BodyRelay.Mode.DECHUNK)
                                : relay.relay(up.in(), framing, false, out, BodyRelay.Mode.DECHUNK));
                        out.release();
                    } finally {
                        out.discard();
                    }
                    stream.end();
                }
            }
        } catch (RelayException e) {
            stopPump(pump);
            if (e.isSourceFault()) {
                return originBrokeMidBody(e.getMessage(), e.bytesRelayed());
            }
            return clientGone(e);
        } catch (IOException e) {
            stopPump(pump);
            return clientGone(e);
        }
        if (pump != null && !pump.isDone()) {
            // The origin answered before it took the whole body: the connection cannot carry another request, and the
            // client is told to stop sending (RST_STREAM NO_ERROR after the response, RFC 9113 section 8.1).
            up.markNotReusable();
            stopPump(pump);
        } else if (pump != null && !pump.join()) {
            up.markNotReusable();
        }
        if (up.isReusable()) {
            exchange.releaseUpstream();
        } else {
            exchange.closeUpstream();
        }
        long end = System.nanoTime();
        flow.setReceiveNanos(end - headAt);
        exchange.complete(end);
        return Outcome.KEEP;
    }

    /** A response without a body (to HEAD, a 304) passes the Content-Length it declares, if plain digits. */
    private static long declaredOrUnknown(Response response) {
        Long declared = StreamExchange.declaredLength(response.headers());
        return declared == null ? -1 : declared;
    }
}
