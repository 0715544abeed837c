package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.BodyRelay;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.http1.ForwardedHeads;
import dev.wiretap.proxy.http1.HeldBody;
import dev.wiretap.proxy.http1.ForwardedHeads.ClientConnection;
import dev.wiretap.proxy.http1.ForwardedHeads.Reframe;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.http2.FieldBlock;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import dev.wiretap.proxy.upstream.OriginStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * An HTTP/1.x client's request forwarded as a stream of a shared HTTP/2 connection to the origin (RFC 9113 section 8):
 * the head made with pseudo-header fields ({@code :authority} from Host), connection-specific fields left out, the body
 * sent de-chunked as DATA, and the response written back in HTTP/1.1, chunked when its length is not known (a 1.0
 * client gets it until close), with the origin's trailers as chunked trailers.
 *
 * <p>Made by the {@link Forwarder} for one exchange, on the client connection's thread.
 */
final class Http1ToStream {

    /** Tells a client that waits for it to send its body (Expect: 100-continue): the origin over HTTP/2 has no say. */
    @FunctionalInterface
    interface ContinueSender {
        void sendIfAsked() throws IOException;
    }

    private final Exchange exchange;
    private final ClientSession session;
    private final ServerContext ctx;
    private final LiveFlow flow;
    private final Request request;
    private final Destination destination;
    private final String host;
    private final BodyFraming requestFraming;
    private final ContinueSender continueSender;
    private final boolean client10;

    Http1ToStream(Exchange exchange, ClientSession session, Destination destination, String host, BodyFraming requestFraming,
                  ContinueSender continueSender) {
        this.exchange = exchange;
        this.session = session;
        this.ctx = exchange.context();
        this.flow = exchange.flow();
        this.request = flow.request();
        this.destination = destination;
        this.host = host;
        this.requestFraming = requestFraming;
        this.continueSender = continueSender;
        this.client10 = request.version() == HttpVersion.HTTP_1_0;
    }

    /**
     * Sends the request over {@code lease}, and the response back; returns what the client connection does next.
     *
     * @param held the request body an addon held, read whole or in part, or null
     */
    Outcome relay(OriginStream lease, HeldBody held) throws IOException {
        boolean heldWhole = held != null && held.isWhole();
        boolean hasBody = !(requestFraming instanceof BodyFraming.None);
        Headers fields = request.headers();
        if (heldWhole) {
            fields = fields.copy();
            fields.removeAll("Transfer-Encoding");
            fields.set("Content-Length", Long.toString(request.body().size()));
        }
        Headers head = Http2Fields.requestHead(request.method(), destination.scheme(), host, destination.pathAndQuery(),
                Http2Fields.forHttp1(fields), ctx.via(request.version().number()));
        long sendStart = System.nanoTime();
        Http2Stream up;
        try {
            up = lease.open(head, !hasBody);
        } catch (IOException e) {
            exchange.closeUpstream();
            return OriginFailures.answer(exchange, session, e, destination, hasBody);
        }
        up.setReadTimeout(ctx.settings().timeouts().upstreamRead().toNanos());
        if (hasBody) {
            Outcome failed = sendBody(up, held);
            if (failed != null) {
                return failed;
            }
        }
        long sendEnd = System.nanoTime();
        flow.setSendNanos(sendEnd - sendStart);
        FieldBlock block;
        try {
            block = awaitFinalHead(up);
        } catch (IOException e) {
            exchange.closeUpstream();
            return OriginFailures.answer(exchange, session, e, destination, false);
        }
        flow.setWaitNanos(System.nanoTime() - sendEnd);
        String status = Http2Fields.pseudo(block.fields(), ":status");
        int code = status == null || status.length() != 3 ? -1 : Integer.parseInt(status);
        if (code < 200) {
            exchange.closeUpstream();
            return exchange.failWith(502, "origin " + destination.hostPort() + " answered without a valid :status",
                    FlowError.Kind.UPSTREAM_PROTOCOL, false);
        }
        Response response = new Response(HttpVersion.HTTP_2, code, "", block.fields(), block.text());
        flow.setResponse(response);
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, false)) {
            exchange.closeUpstream();
            return exchange.closing();
        }
        exchange.responded();
        return respond(up, response, System.nanoTime());
    }

    /** Sends the body; null when it went whole, else the outcome of its failure. */
    private Outcome sendBody(Http2Stream up, HeldBody held) throws IOException {
        if (held != null && held.isWhole()) {
            byte[] body = request.body().bytes();
            try {
                up.sendData(body, 0, body.length, true);
            } catch (IOException e) {
                exchange.closeUpstream();
                return OriginFailures.answer(exchange, session, e, destination, false);
            }
            return null;
        }
        continueSender.sendIfAsked();
        long before = session.in().consumedCount();
        HttpOutput out = new HttpOutput(up.bodyOutput(), ctx.headBuffers());
        try {
            BodyRelay relay = exchange.bodyRelay();
            request.setBody(held != null ? held.relayRest(relay, out, BodyRelay.Mode.DECHUNK) // what was read goes first
                    : relay.relay(session.in(), requestFraming, true, out, BodyRelay.Mode.DECHUNK));
            out.release();
            up.end();
        } catch (RelayException e) {
            exchange.closeUpstream();
            if (!e.isSourceFault()) {
                return OriginFailures.answer(exchange, session, e, destination, true);
            }
            return ClientBodyFaults.answer(exchange, e);
        } catch (IOException e) {
            exchange.closeUpstream();
            return OriginFailures.answer(exchange, session, e, destination, false);
        } finally {
            out.discard();
            flow.addBytesFromClient(session.in().consumedCount() - before);
        }
        return null;
    }

    private static FieldBlock awaitFinalHead(Http2Stream up) throws IOException {
        while (true) {
            FieldBlock block = up.awaitHeaders();
            String status = Http2Fields.pseudo(block.fields(), ":status");
            if (status == null || status.length() != 3 || status.charAt(0) != '1') {
                return block;
            }
        }
    }

    /** Writes the response for the client: its head framed for the client's version, the body, the trailers. */
    private Outcome respond(Http2Stream up, Response response, long headAt) throws IOException {
        HttpOutput out = session.out();
        boolean keepClient = exchange.mayKeep(true);
        Long declared = StreamExchange.declaredLength(response.headers());
        boolean bodyless = request.isMethod("HEAD") || response.status() == 204 || response.status() == 304;
        Reframe reframe = Reframe.NONE;
        if (declared == null && !bodyless) {
            if (client10) {
                reframe = Reframe.UNTIL_CLOSE;
                keepClient = false;
            } else {
                reframe = Reframe.CHUNKED;
            }
        }
        ClientConnection connection = !keepClient ? ClientConnection.CLOSE
                : client10 ? ClientConnection.KEEP_ALIVE : ClientConnection.NOTHING;
        BodyCapture capture = exchange.captures().capture(Flow.Side.RESPONSE, declared == null ? -1 : declared);
        byte[] buffer = ctx.bodyBuffers().acquire();
        try {
            ForwardedHeads.writeResponse(out, response, ctx.via(HttpVersion.HTTP_2.number()), reframe, connection);
            InputStream in = up.body();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                capture.add(buffer, 0, n);
                if (reframe == Reframe.CHUNKED && n > 0) {
                    out.writeHex(n);
                    out.crlf();
                    out.write(buffer, 0, n);
                    out.crlf();
                } else {
                    out.write(buffer, 0, n);
                }
                if (!up.hasBufferedData()) {
                    out.flush();
                }
            }
            Optional<Headers> trailers = up.trailers();
            trailers.ifPresent(response::setTrailers);
            if (reframe == Reframe.CHUNKED) {
                out.writeLatin1("0\r\n");
                if (trailers.isPresent()) {
                    trailers.get().writeTo(out);
                }
                out.crlf();
            }
            out.flush();
        } catch (IOException e) {
            response.setBody(capture.finish());
            exchange.closeUpstream();
            if (out.hasFailed()) {
                return exchange.failClientGone("client went away during the response: " + e.getMessage());
            }
            return exchange.abort(new FlowError(FlowError.Kind.UPSTREAM_CLOSED, "origin " + destination.hostPort()
                    + " broke off the response after " + capture.size() + " body bytes: " + e.getMessage()));
        } finally {
            ctx.bodyBuffers().release(buffer); // the output copies what it is given
        }
        response.setBody(capture.finish());
        exchange.releaseUpstream();
        long end = System.nanoTime();
        flow.setReceiveNanos(end - headAt);
        exchange.complete(end);
        return keepClient ? Outcome.KEEP : Outcome.CLOSE;
    }
}
