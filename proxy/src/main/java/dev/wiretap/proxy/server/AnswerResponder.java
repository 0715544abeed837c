package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.io.Pacer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;

/**
 * Answers a request in the origin's place, as an addon planned it ({@link Answer}): a response made up whole, a local
 * file streamed as the body (with bounded memory, its first bytes captured), a recorded response served again (server
 * replay, after the recorded waits if asked), or no answer at all (the connection is dropped). The addons' response
 * hook sees a made-up response before it goes out, as it would the origin's (so rules can add fields to a local file's
 * answer); wiretap frames the body itself. A throttle's down rate paces a local file; an inline response is small and
 * goes out at once. Ends the flow.
 *
 * <p>Made for one exchange by the {@link Forwarder} or the {@link ConnectTunnel}, on the client connection's thread; it
 * writes HTTP/1 to the client's connection.
 */
final class AnswerResponder {

    private static final int FILE_BUFFER_BYTES = 64 * 1024;
    /** Fields of a recorded response that were about its own connection and framing (RFC 9110 section 7.6.1). */
    private static final java.util.List<String> RECORDED_HOP_FIELDS = java.util.List.of("Content-Length",
            "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade");

    private final Exchange exchange;
    private final LiveFlow flow;
    private final HttpOutput out;

    AnswerResponder(Exchange exchange, ClientSession session) {
        this.exchange = exchange;
        this.flow = exchange.flow();
        this.out = session.out();
    }

    /**
     * @param requestBodyDone whether the request's body was read to its end (else the connection closes after)
     * @return what the client connection does next
     */
    Outcome answer(Answer answer, boolean requestBodyDone) throws IOException {
        boolean keep = exchange.mayKeep(requestBodyDone);
        switch (answer) {
            case Answer.Drop d -> {
                return exchange.abort(new FlowError(FlowError.Kind.BLOCKED, "dropped by rule "
                        + String.join(", ", flow.appliedRules())));
            }
            case Answer.Respond r -> {
                if (!respond(r, keep)) {
                    return exchange.closing();
                }
            }
            case Answer.Recorded r -> {
                if (!replay(r, keep)) {
                    return exchange.closing();
                }
            }
            case Answer.File f -> {
                InputStream file;
                long size;
                try {
                    file = Files.newInputStream(f.path());
                    size = Files.size(f.path());
                } catch (IOException e) {
                    return exchange.failWith(500, "cannot read the local file " + f.path() + ": " + e.getMessage(),
                            FlowError.Kind.INTERNAL, !keep);
                }
                try (file) {
                    if (!sendFile(f, file, size, keep)) {
                        return exchange.closing();
                    }
                }
            }
        }
        exchange.complete();
        return keep ? Outcome.KEEP : Outcome.CLOSE;
    }

    /** Sends an inline answer; false if the exchange has ended already (an addon failed on it). */
    private boolean respond(Answer.Respond r, boolean keep) throws IOException {
        // RFC 9110 sections 15.3.5 and 15.4.5: a 204 or a 304 has no body (and here no Content-Length).
        boolean bodyless = r.status() == 204 || r.status() == 304;
        byte[] body = bodyless ? new byte[0] : r.body();
        Headers headers = fields(r.headers(), "text/plain; charset=utf-8");
        if (!bodyless) {
            headers.add("Content-Length", Integer.toString(body.length));
        }
        Response response = new Response(HttpVersion.HTTP_1_1, r.status(), r.reason(), headers, new byte[0]);
        response.setBody(Body.of(body));
        if (!sendHead(response, keep)) {
            return false;
        }
        if (!flow.request().isMethod("HEAD")) {
            out.write(body, 0, body.length);
        }
        out.flush();
        return true;
    }

    /**
     * Sends a recorded response: its fields as they flowed less the hop-by-hop and framing ones (wiretap frames the body
     * itself), after the recorded waits when asked; false if the exchange has ended already.
     */
    private boolean replay(Answer.Recorded r, boolean keep) throws IOException {
        boolean bodyless = r.status() == 204 || r.status() == 304;
        byte[] body = bodyless ? new byte[0] : r.body();
        Headers headers = r.headers();
        String recordedLength = headers.first("Content-Length").orElse(null);
        for (String name : RECORDED_HOP_FIELDS) {
            headers.removeAll(name);
        }
        boolean head = flow.request().isMethod("HEAD");
        if (!bodyless) {
            // A response to HEAD was recorded without its body: it says how long the body would have been.
            headers.add("Content-Length", head && recordedLength != null ? recordedLength : Integer.toString(body.length));
        }
        Response response = new Response(HttpVersion.HTTP_1_1, r.status(), r.reason(), headers, new byte[0]);
        response.setBody(Body.of(body));
        pause(r.firstByte());
        if (!sendHead(response, keep)) {
            return false;
        }
        if (!r.rest().isZero()) {
            out.flush();
            pause(r.rest());
        }
        if (!head) {
            out.write(body, 0, body.length);
        }
        out.flush();
        return true;
    }

    /** Waits as the recorded origin did (server replay's timing); an interrupt (a stop) ends the wait early. */
    static void pause(java.time.Duration wait) {
        if (wait.isZero()) {
            return;
        }
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Streams a local file as the body; false if the exchange has ended already. */
    private boolean sendFile(Answer.File file, InputStream in, long size, boolean keep) throws IOException {
        Headers headers = fields(Map.of("Content-Type", file.contentType()), file.contentType());
        headers.add("Content-Length", Long.toString(size));
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", headers, new byte[0]);
        long headMark = out.bytesWritten();
        if (!sendHead(response, keep)) {
            return false;
        }
        BodyCapture capture = exchange.captures().capture(Flow.Side.RESPONSE, size);
        if (!flow.request().isMethod("HEAD")) {
            long down = flow.throttle().map(Throttle::downBytesPerSecond).orElse(0L);
            Pacer pacer = down > 0 ? new Pacer(down) : null;
            long mark = headMark;
            byte[] buf = new byte[pacer == null ? FILE_BUFFER_BYTES : Math.min(FILE_BUFFER_BYTES, pacer.chunkBytes())];
            for (long left = size; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    // The file shrank since its size was taken: the client must not take what it got for all of it.
                    exchange.abort(new FlowError(FlowError.Kind.INTERNAL, "the local file " + file.path() + " ended after "
                            + (size - left) + " of " + size + " bytes"));
                    return false;
                }
                capture.add(buf, 0, n);
                out.write(buf, 0, n);
                left -= n;
                if (pacer != null) {
                    out.flush();
                    pacer.sent(out.bytesWritten() - mark);
                    mark = out.bytesWritten();
                }
            }
        }
        out.flush();
        response.setBody(capture.finish());
        return true;
    }

    /**
     * The answer's fields in the order given, with a content type and {@code Cache-Control: no-store} unless given;
     * framing fields are wiretap's to write and are left out.
     */
    private static Headers fields(Map<String, String> given, String defaultType) {
        Headers headers = new Headers();
        if (given.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("Content-Type"))) {
            headers.add("Content-Type", defaultType);
        }
        given.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Transfer-Encoding")) {
                headers.add(name, value);
            }
        });
        if (!headers.contains("Cache-Control")) {
            headers.add("Cache-Control", "no-store");
        }
        return headers;
    }

    /**
     * Records the response, lets the addons see it, and writes its head (not flushed). False if an addon failed: its
     * 500 went out instead and the exchange has ended.
     */
    private boolean sendHead(Response response, boolean keep) throws IOException {
        flow.setResponse(response);
        if (!exchange.runHook(Exchange.Hook.RESPONSE_HEAD, true)) {
            return false;
        }
        if (!keep) {
            response.headers().set("Connection", "close");
        }
        exchange.responded();
        out.writeLatin1("HTTP/1.1 ");
        out.writeDecimal(response.status());
        out.write(' ');
        out.writeLatin1(response.reason());
        out.crlf();
        response.headers().writeTo(out);
        out.crlf();
        return true;
    }
}
