package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.http1.HttpOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers a request in the origin's place, as an addon planned it ({@link Answer}): a response made up whole, a local
 * file streamed as the body (with bounded memory, its first bytes captured), or no answer at all (the connection is
 * dropped). Ends the flow.
 */
final class AnswerResponder {

    private final ClientSession session;

    AnswerResponder(ClientSession session) {
        this.session = session;
    }

    /**
     * @param requestBodyDone whether the request's body was read to its end (else the connection closes after)
     * @return whether the client connection may carry on
     */
    boolean answer(Flow flow, Answer answer, boolean requestBodyDone) throws IOException {
        boolean keep = requestBodyDone && !ClientSession.wantsClose(flow.request()) && !session.isDraining();
        switch (answer) {
            case Answer.Drop d -> {
                session.abort();
                flow.fail(new FlowError(FlowError.Kind.BLOCKED, "dropped by rule " + String.join(", ", flow.appliedRules())),
                        System.nanoTime());
                session.publishEnd(flow);
                return false;
            }
            case Answer.Respond r -> {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("Content-Type", "text/plain; charset=utf-8");
                r.headers().forEach((name, value) -> {
                    fields.keySet().removeIf(k -> k.equalsIgnoreCase(name));
                    fields.put(name, value);
                });
                session.sendLocal(flow, new LocalResponse(r.status(), r.reason(), fields, r.body()), !keep);
            }
            case Answer.File f -> sendFile(flow, f, keep);
        }
        flow.complete(System.nanoTime());
        session.publishEnd(flow);
        return keep;
    }

    private void sendFile(Flow flow, Answer.File file, boolean keep) throws IOException {
        long size = Files.size(file.path());
        Headers headers = new Headers();
        headers.add("Content-Type", file.contentType());
        headers.add("Content-Length", Long.toString(size));
        headers.add("Cache-Control", "no-store");
        if (!keep) {
            headers.add("Connection", "close");
        }
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", headers, new byte[0]);
        flow.setResponse(response);
        session.context().events().publish(new FlowEvent.Responded(flow));
        HttpOutput out = session.out();
        out.writeLatin1("HTTP/1.1 200 OK\r\n");
        headers.writeTo(out);
        out.crlf();
        BodyCapture capture = new BodyCapture(session.context().settings().capture().maxBodyBytes(), size);
        if (!flow.request().isMethod("HEAD")) {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(file.path())) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    capture.add(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
        }
        out.flush();
        response.setBody(capture.finish());
    }
}
