package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http2.ErrorCode;
import dev.wiretap.proxy.http2.FieldBlock;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import dev.wiretap.proxy.http2.StreamResetException;
import dev.wiretap.proxy.upstream.OriginStream;
import dev.wiretap.proxy.upstream.UpstreamLease;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * A client's HTTP/2 stream forwarded as a stream of a shared HTTP/2 connection to the origin: the head made again
 * from the request as it now stands (an addon may have changed it), the body copied by a {@link RequestPump} while the
 * response comes (both directions at once, as gRPC's streaming calls need), the response's HEADERS, DATA and trailers
 * passed on as they come, each DATA frame's bytes sent on at once. A client's reset resets the origin's stream.
 *
 * <p>Made for one attempt, on the client stream's thread.
 */
final class StreamToHttp2 extends StreamRelay {

    StreamToHttp2(Exchange exchange, StreamDownstream client, Destination destination, String authority, byte[] heldBody,
                  byte[] partialBody) {
        super(exchange, client, destination, authority, heldBody, partialBody);
    }

    @Override
    Outcome relay(UpstreamLease lease) throws IOException, Retry {
        OriginStream origin = (OriginStream) lease;
        boolean hasBody = requestHasBody();
        Headers fields = request.headers();
        if (heldBody != null && (heldBody.length > 0 || fields.contains("content-length"))) {
            fields = fields.copy();
            fields.set("content-length", Integer.toString(heldBody.length));
        }
        Headers head = Http2Fields.requestHead(request.method(), destination.scheme(), authority,
                destination.pathAndQuery(), fields, via(request.version().number()));
        long sendStart = System.nanoTime();
        Http2Stream up;
        try {
            up = origin.open(head, !hasBody);
        } catch (StreamResetException e) {
            exchange.closeUpstream();
            if (e.isRetryable()) {
                throw new Retry(e);
            }
            return OriginFailures.answer(exchange, this::loop, e, destination, false);
        } catch (IOException e) {
            exchange.closeUpstream();
            return OriginFailures.answer(exchange, this::loop, e, destination, false);
        }
        up.setReadTimeout(ctx.settings().timeouts().upstreamRead().toNanos());
        RequestPump pump = null;
        FieldBlock responseHead;
        try {
            if (heldBody != null && heldBody.length > 0) {
                up.sendData(heldBody, 0, heldBody.length, true);
            } else if (hasBody) {
                pump = new RequestPump(flow, stream.body(), partialBody, sink(up),
                        exchange.captures(), exchange::cutOff);
                pump.start();
            }
            long sendEnd = System.nanoTime();
            flow.setSendNanos(sendEnd - sendStart);
            responseHead = awaitFinalHead(up);
            flow.setWaitNanos(System.nanoTime() - sendEnd);
        } catch (IOException e) {
            exchange.closeUpstream();
            if (pump != null && pump.sourceFailure() != null) {
                pump.join(); // it failed on the client's side and is ending; the stream is left to answer on (a 408)
                return clientGone(pump.sourceFailure());
            }
            stopPump(pump);
            if (clientCancelled()) {
                return clientGone(e);
            }
            if (pump != null && pump.sourceFailure() != null) {
                return clientGone(pump.sourceFailure());
            }
            if (e instanceof StreamResetException r && r.isRetryable() && pump == null) {
                throw new Retry(e); // refused unprocessed (REFUSED_STREAM, or past the origin's GOAWAY)
            }
            return OriginFailures.answer(exchange, this::loop, e, destination, false);
        }
        return respond(up, responseHead, pump);
    }

    private Outcome loop() throws IOException {
        return exchange.failWith(508, "the request would lead back to wiretap itself", FlowError.Kind.LOOP, false);
    }

    /** The final response head; interim ones (1xx) are read past. */
    private static FieldBlock awaitFinalHead(Http2Stream up) throws IOException {
        while (true) {
            FieldBlock block = up.awaitHeaders();
            String status = Http2Fields.pseudo(block.fields(), ":status");
            if (status == null || status.length() != 3 || status.charAt(0) != '1') {
                return block;
            }
        }
    }

    /** Where the pump writes: the origin's stream, its end with the client's trailers if it sent any. */
    private RequestPump.Sink sink(Http2Stream up) {
        return new RequestPump.Sink() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                up.sendData(b, off, len, false);
            }

            @Override
            public void flush() {
                // sendData writes each call's bytes out at its end
            }

            @Override
            public void finish(long total) throws IOException {
                Optional<Headers> trailers = stream.trailers();
                if (trailers.isPresent()) {
                    up.sendTrailers(Http2Fields.trailers(trailers.get()));
                } else {
                    up.end();
                }
            }
        };
    }

    private Outcome respond(Http2Stream up, FieldBlock head, RequestPump pump) throws IOException {
        int status = parseStatus(head);
        if (status < 0) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.failWith(502, "origin " + destination.hostPort() + " answered without a valid :status",
                    FlowError.Kind.UPSTREAM_PROTOCOL, false);
        }
        Response response = new Response(HttpVersion.HTTP_2, status, "", head.fields(), head.text());
        flow.setResponse(response);
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, true)) {
            exchange.closeUpstream();
            stopPump(pump);
            return exchange.closing();
        }
        exchange.responded();
        long headAt = System.nanoTime();
        byte[] held = null;
        if (flow.isHeld(Flow.Side.RESPONSE)) {
            try {
                held = readHeld(up);
            } catch (IOException e) {
                exchange.closeUpstream();
                stopPump(pump);
                return clientCancelled() ? clientGone(e) : exchange.failWith(502, "origin " + destination.hostPort()
                        + " broke off the response: " + e.getMessage(), FlowError.Kind.UPSTREAM_CLOSED, false);
            }
            if (held != null) {
                response.setBody(Body.of(held));
                flow.markWholeBody(Flow.Side.RESPONSE);
            }
            Outcome ended = afterResponseHook(pump);
            if (ended != null) {
                return ended;
            }
        }
        long relayed = 0;
        try {
            if (held != null) {
                byte[] body = response.body().bytes();
                boolean noBody = body.length == 0 || request.isMethod("HEAD");
                Optional<Headers> trailers = up.trailers();
                sendHead(response, body.length, noBody && trailers.isEmpty());
                if (!noBody) {
                    stream.sendData(body, 0, body.length, trailers.isEmpty());
                }
                endWithTrailers(response, trailers, noBody && trailers.isEmpty() || trailers.isEmpty());
            } else {
                Long declared = StreamExchange.declaredLength(response.headers());
                boolean ended = up.isRemoteEnded() && !up.hasBufferedData() && up.trailers().isEmpty();
                sendHead(response, declared == null ? -1 : declared, ended, ended || !up.hasBufferedData());
                if (!ended) {
                    relayed = copyBody(up, response);
                    endWithTrailers(response, up.trailers(), stream.isLocalEnded());
                }
            }
        } catch (IOException e) {
            stopPump(pump);
            // Writing to the client fails only with its stream reset (by it, or by wiretap on a stall); else the origin's side broke.
            return clientCancelled() ? clientGone(e) : originBrokeMidBody(e.getMessage(), relayed);
        }
        if (pump != null && !pump.isDone()) {
            stopPump(pump); // the origin has answered whole before the request ended: the client is told to stop
        } else if (pump != null) {
            pump.join();
        }
        exchange.releaseUpstream();
        long end = System.nanoTime();
        flow.setReceiveNanos(end - headAt);
        exchange.complete(end);
        return Outcome.KEEP;
    }

    /** Copies the response body as it comes, each piece sent on at once (a streaming call's messages go through). */
    private long copyBody(Http2Stream up, Response response) throws IOException {
        BodyCapture capture = exchange.captures().capture(Flow.Side.RESPONSE, -1);
        byte[] buffer = ctx.bodyBuffers().acquire(); // pooled: a fresh 16 KiB per stream was most of a small one's garbage
        InputStream in = up.body();
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                capture.add(buffer, 0, n);
                total += n;
                // The origin's last bytes carry END_STREAM when no trailers follow: one frame less for a small response.
                boolean last = up.isRemoteEnded() && !up.hasBufferedData() && up.trailers().isEmpty();
                stream.sendData(buffer, 0, n, last); // copied into the connection's buffer before it returns
            }
        } finally {
            ctx.bodyBuffers().release(buffer);
            response.setBody(capture.finish());
        }
        return total;
    }

    /** Ends the client's stream: with the origin's trailers when it sent some (gRPC's status lives there). */
    private void endWithTrailers(Response response, Optional<Headers> trailers, boolean ended) throws IOException {
        if (trailers.isPresent()) {
            response.setTrailers(trailers.get());
            stream.sendTrailers(Http2Fields.trailers(trailers.get()));
        } else if (!ended) {
            stream.end();
        }
    }

    /** A held response's body, read whole when it fits within the capture cap; null (nothing read) when it cannot. */
    private byte[] readHeld(Http2Stream up) throws IOException {
        int cap = ctx.settings().capture().maxBodyBytes();
        Long declared = StreamExchange.declaredLength(flow.response().orElseThrow().headers());
        if (declared != null && declared > cap) {
            return null;
        }
        byte[] buffer = new byte[8192];
        int length = 0;
        InputStream in = up.body();
        int n;
        while ((n = in.read(buffer, length, buffer.length - length)) >= 0) {
            length += n;
            if (length == buffer.length) {
                if (length > cap) {
                    throw new IOException("the response body is larger than the capture cap; it cannot be held");
                }
                buffer = Arrays.copyOf(buffer, Math.min(cap + 1, buffer.length * 2));
            }
        }
        return Arrays.copyOf(buffer, length);
    }

    private static int parseStatus(FieldBlock head) {
        String status = Http2Fields.pseudo(head.fields(), ":status");
        if (status == null || status.length() != 3) {
            return -1;
        }
        try {
            int s = Integer.parseInt(status);
            return s >= 200 && s <= 999 ? s : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
