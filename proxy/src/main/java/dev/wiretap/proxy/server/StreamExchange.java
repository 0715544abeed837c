package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.io.BodyPace;
import dev.wiretap.proxy.http2.FieldBlock;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import dev.wiretap.proxy.http2.StreamResetException;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamException;
import dev.wiretap.proxy.upstream.UpstreamLease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Serves one request that came on a client's HTTP/2 stream, on the stream's own thread: resolves where it goes, runs
 * the addons' request hooks (holding its body when asked), answers it in the origin's place when an addon says so, or
 * forwards it over a lease from the pool, an HTTP/1.1 connection ({@link StreamToHttp1}) or a stream of a shared
 * HTTP/2 connection ({@link StreamToHttp2}). Translation between the versions follows RFC 9113 section 8.
 *
 * <p>Made by {@link ClientHttp2} for one exchange and thrown away. The {@link Exchange} holds the lease and ends the
 * flow; this class and the relays it hands over to speak HTTP/2 to the client through the {@link Http2Stream}.
 */
final class StreamExchange {

    private final Exchange exchange;
    private final StreamDownstream client;
    private final Http2Stream stream;
    private final ServerContext ctx;
    private final LiveFlow flow;
    private final Request request;
    private final Destination tunnelOrigin;
    private final FieldBlock head;
    /** The request body read into memory because an addon held the request (whole), or null. */
    private byte[] heldBody;

    StreamExchange(Exchange exchange, StreamDownstream client, Destination tunnelOrigin, FieldBlock head) {
        this.exchange = exchange;
        this.client = client;
        this.stream = client.stream();
        this.ctx = exchange.context();
        this.flow = exchange.flow();
        this.request = flow.request();
        this.tunnelOrigin = tunnelOrigin;
        this.head = head;
    }

    Outcome serve() throws IOException {
        stream.setReadTimeout(ctx.settings().timeouts().clientRead().toNanos());
        stream.pace(new BodyPace(ctx.settings().timeouts().clientBody(), ctx.settings().limits().minBodyRate()));
        String method = request.method();
        String authority = authority();
        String path = Http2Fields.pseudo(head.fields(), ":path");
        if (method.equals("CONNECT")) {
            request.setDestination(new Destination("tcp", tunnelOrigin.host(), tunnelOrigin.port(), ""));
            exchange.requested();
            return exchange.reject(400, "CONNECT inside a tunnel", FlowError.Kind.CLIENT_PROTOCOL);
        }
        // As for HTTP/1 inside a tunnel: the request goes to the tunnel's origin; :authority names the virtual host.
        request.setDestination(new Destination(tunnelOrigin.scheme(), tunnelOrigin.host(), tunnelOrigin.port(),
                path == null || path.equals("*") ? "/" : path));
        exchange.requested();
        if (authority == null) {
            return exchange.reject(400, "a request without :authority or Host (RFC 9113 section 8.3.1)",
                    FlowError.Kind.CLIENT_PROTOCOL);
        }
        Destination destination = request.destination().orElseThrow();
        if (ctx.self().isSelf(destination.host(), destination.port())) {
            return answerSelf();
        }
        Destination asRead = destination;
        if (!exchange.runHook(Exchange.Hook.REQUEST_HEAD, true)) {
            return exchange.closing();
        }
        if (flow.dropReason().isPresent()) {
            return exchange.drop();
        }
        if (flow.answer().isEmpty() && flow.isHeld(Flow.Side.REQUEST)) {
            holdBody();
            if (!exchange.runHook(Exchange.Hook.REQUEST, true)) {
                return exchange.closing();
            }
            if (flow.dropReason().isPresent()) {
                return exchange.drop();
            }
            if (heldBody != null) {
                heldBody = request.body().bytes(); // as the addon left it (it may have replaced it)
            }
        }
        if (flow.answer().isPresent()) {
            return answerLocally(flow.answer().get());
        }
        return forward(asRead, authority);
    }

    /** {@code :authority}, else Host (RFC 9113 section 8.3.1); null if neither. */
    private String authority() {
        String authority = Http2Fields.pseudo(head.fields(), ":authority");
        return authority != null ? authority : request.headers().first("host").orElse(null);
    }

    /**
     * Borrows a lease for the request's route and hands the exchange to the relay for what the origin speaks. The
     * authority sent is the client's own while the request still goes where it was read for, else the destination's.
     */
    private Outcome forward(Destination asRead, String authority) throws IOException {
        Destination destination = request.destination().orElseThrow();
        boolean unmoved = asRead.scheme().equals(destination.scheme()) && asRead.host().equalsIgnoreCase(destination.host())
                && asRead.port() == destination.port();
        String sentAuthority = unmoved ? authority : destination.authority();
        Route route = exchange.routeTo(destination);
        for (int attempt = 0; ; attempt++) {
            UpstreamLease lease;
            try {
                lease = exchange.borrowUpstream(route, attempt > 0, true);
            } catch (UpstreamException e) {
                return OriginFailures.answer(exchange, this::answerSelf, e, destination, false);
            }
            StreamRelay relay = lease.isHttp2()
                    ? new StreamToHttp2(exchange, client, destination, sentAuthority, heldBody, partial)
                    : new StreamToHttp1(exchange, client, destination, sentAuthority, heldBody, partial);
            try {
                return relay.relay(lease);
            } catch (StreamRelay.Retry retry) {
                if (attempt > 0) {
                    return OriginFailures.answer(exchange, this::answerSelf, retry.cause(), destination, false);
                }
                // a pooled connection the origin had closed, or a stream it refused unprocessed: once more
            }
        }
    }

    /**
     * Reads the body of a held request into memory when it fits within the capture cap; a body declared larger is left
     * to stream on, and one that turns out larger keeps what was read ({@link #partial}) to go on first.
     */
    private void holdBody() throws IOException {
        int cap = ctx.settings().capture().maxBodyBytes();
        Long declared = declaredLength(request.headers());
        if (declared != null && declared > cap) {
            return;
        }
        // Grown as the bytes come (a declared length is a promise, not a reason to make room), from the flow's account;
        // one more than the length is asked for, so that the end is seen without growing again.
        long expected = declared == null ? -1 : declared + 1;
        byte[] buffer = new byte[0];
        int length = 0;
        InputStream in = stream.body();
        while (true) {
            if (length == buffer.length) {
                byte[] bigger = exchange.captures().grow(buffer, length + 1, cap + 1, Flow.Side.REQUEST, expected);
                if (bigger == null) {
                    partial = Arrays.copyOf(buffer, length); // the budget is spent: not held; the rest follows when sent
                    return;
                }
                buffer = bigger;
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
            if (length > cap) {
                partial = Arrays.copyOf(buffer, length); // not held after all: the rest follows when sent
                return;
            }
        }
        heldBody = Arrays.copyOf(buffer, length);
        request.setBody(Body.of(heldBody));
        flow.markWholeBody(Flow.Side.REQUEST);
        flow.addBytesFromClient(heldBody.length);
    }

    /** What was read of a held body too large to hold, to go on before the rest (null: nothing). */
    private byte[] partial;

    /** The request's Content-Length when it is plain digits, else null. */
    static Long declaredLength(Headers headers) {
        String value = headers.first("content-length").orElse(null);
        if (value == null || value.isEmpty() || value.length() > 18) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        return Long.parseLong(value);
    }

    /** A request addressed to wiretap itself: its page, over this stream. */
    private Outcome answerSelf() throws IOException {
        drain();
        exchange.sendLocal(new SelfPage(exchange, null).respond(request), false);
        exchange.complete();
        return Outcome.KEEP;
    }

    /** Reads what the client sends of the body (into the flow's capture) with nowhere to send it. */
    private void drain() throws IOException {
        if (heldBody != null) {
            return;
        }
        BodyCapture capture = exchange.captures().capture(Flow.Side.REQUEST, -1);
        byte[] buffer = new byte[8192];
        InputStream in = stream.body();
        int n;
        while ((n = in.read(buffer)) > 0) {
            capture.add(buffer, 0, n);
        }
        if (capture.size() > 0) {
            request.setBody(capture.finish());
            flow.addBytesFromClient(capture.size());
        }
    }

    /** An addon answers in the origin's place: the request body is read into the flow, and the answer sent. */
    private Outcome answerLocally(Answer answer) throws IOException {
        exchange.closeReserved();
        switch (answer) {
            case Answer.Drop d -> {
                return exchange.abort(new FlowError(FlowError.Kind.BLOCKED, "dropped by rule "
                        + String.join(", ", flow.appliedRules())));
            }
            case Answer.Respond r -> {
                drain();
                boolean bodyless = r.status() == 204 || r.status() == 304;
                byte[] body = bodyless ? new byte[0] : r.body();
                if (!sendAnswerHead(r.status(), r.headers(), "text/plain; charset=utf-8", body.length)) {
                    return exchange.closing();
                }
                flow.response().orElseThrow().setBody(Body.of(body));
                boolean sendBody = body.length > 0 && !request.isMethod("HEAD");
                if (sendBody) {
                    stream.sendData(body, 0, body.length, true);
                }
            }
            case Answer.Recorded r -> {
                drain();
                if (!sendRecorded(r)) {
                    return exchange.closing();
                }
            }
            case Answer.File f -> {
                drain();
                long size;
                InputStream file;
                try {
                    size = Files.size(f.path());
                    file = Files.newInputStream(f.path());
                } catch (IOException e) {
                    return exchange.failWith(500, "cannot read the local file " + f.path() + ": " + e.getMessage(),
                            FlowError.Kind.INTERNAL, false);
                }
                try (file) {
                    if (!sendAnswerHead(200, Map.of("Content-Type", f.contentType()), f.contentType(), size)) {
                        return exchange.closing();
                    }
                    if (!request.isMethod("HEAD") && !sendFile(f, file, size)) {
                        return Outcome.CLOSE;
                    }
                }
            }
        }
        stream.end();
        exchange.complete();
        return Outcome.KEEP;
    }

    /** Records an answer's head, lets the addons see it and sends it; false if an addon failed (its 500 went out). */
    private boolean sendAnswerHead(int status, Map<String, String> given, String defaultType, long length) throws IOException {
        Headers fields = new Headers();
        if (given.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("Content-Type"))) {
            fields.add("content-type", defaultType);
        }
        given.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                fields.add(name.toLowerCase(Locale.ROOT), value);
            }
        });
        if (!fields.contains("cache-control")) {
            fields.add("cache-control", "no-store");
        }
        Headers sent = Http2Fields.responseHead(status, fields, length, null);
        flow.setResponse(new Response(HttpVersion.HTTP_2, status, "", sent, new byte[0]));
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, false)) {
            return false;
        }
        exchange.responded();
        Response response = flow.response().orElseThrow();
        stream.sendHeaders(Http2Fields.responseHead(response.status(), response.headers(), length, null),
                length == 0 || request.isMethod("HEAD"));
        return true;
    }

    /**
     * A recorded response (server replay) as the answer: its fields as they flowed less the connection's and the framing
     * (DATA frames the body), after the recorded waits when asked; false if the exchange has ended already.
     */
    private boolean sendRecorded(Answer.Recorded r) throws IOException {
        boolean bodyless = r.status() == 204 || r.status() == 304;
        byte[] body = bodyless ? new byte[0] : r.body();
        boolean head = request.isMethod("HEAD");
        long length = body.length;
        if (head) {
            // A response to HEAD was recorded without its body: it says how long the body would have been.
            length = r.headers().first("Content-Length").filter(v -> v.matches("[0-9]{1,18}")).map(Long::parseLong).orElse(-1L);
        }
        Headers sent = Http2Fields.responseHead(r.status(), r.headers(), length, null);
        flow.setResponse(new Response(HttpVersion.HTTP_2, r.status(), "", sent, new byte[0]));
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, false)) {
            return false;
        }
        exchange.responded();
        AnswerResponder.pause(r.firstByte());
        Response response = flow.response().orElseThrow();
        boolean sendBody = body.length > 0 && !head;
        stream.sendHeaders(Http2Fields.responseHead(response.status(), response.headers(), length, null), !sendBody);
        response.setBody(Body.of(body));
        if (sendBody) {
            AnswerResponder.pause(r.rest());
            stream.sendData(body, 0, body.length, true);
        }
        return true;
    }

    /** Streams a local file as DATA, its first bytes captured; false (the flow ended) if it shrank meanwhile. */
    private boolean sendFile(Answer.File f, InputStream in, long size) throws IOException {
        BodyCapture capture = exchange.captures().capture(Flow.Side.RESPONSE, size);
        byte[] buffer = new byte[16 * 1024];
        for (long left = size; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                exchange.abort(new FlowError(FlowError.Kind.INTERNAL, "the local file " + f.path() + " ended after "
                        + (size - left) + " of " + size + " bytes"));
                return false;
            }
            capture.add(buffer, 0, n);
            left -= n;
            stream.sendData(buffer, 0, n, left == 0);
        }
        flow.response().orElseThrow().setBody(capture.finish());
        return true;
    }

    /** Whether a failure came from the client's stream being reset (a cancel) rather than from the origin. */
    static boolean isClientCancel(Http2Stream stream, IOException e) {
        return stream.isReset() || (e instanceof StreamResetException r && r.isByPeer() && stream.isReset());
    }
}
