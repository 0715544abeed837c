package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * wiretap's own page, served for requests addressed to wiretap itself: an origin-form request ({@code GET /}
 * sent to the proxy as if it were a web server), an absolute URL naming wiretap's own address, or the magic host
 * {@code http://wiretap/}. Such a request is never forwarded, which would loop back here.
 */
final class SelfPage {

    /** A body this small is read and dropped so the connection can carry on; a larger one closes it. */
    private static final long MAX_DRAINED_BODY = 64 * 1024;

    private final ClientSession session;

    SelfPage(ClientSession session) {
        this.session = session;
    }

    boolean answer(Flow flow) throws IOException {
        boolean bodyRead = drainBody(flow);
        boolean keep = bodyRead && !ClientSession.wantsClose(flow.request()) && !session.isDraining();
        String method = flow.request().method();
        LocalResponse page;
        if (method.equals("GET") || method.equals("HEAD")) {
            page = new LocalResponse(200, "OK", "text/html; charset=utf-8", html().getBytes(StandardCharsets.UTF_8));
        } else if (method.equals("OPTIONS")) {
            page = new LocalResponse(200, "OK", "text/plain; charset=utf-8", new byte[0]);
        } else {
            page = LocalResponse.error(405, "wiretap's own page only answers GET and HEAD");
            page = new LocalResponse(405, "Method Not Allowed", page.contentType(), page.body());
        }
        session.sendLocal(flow, page, !keep);
        flow.complete(System.nanoTime());
        session.publishEnd(flow);
        return keep;
    }

    /** Reads and drops a small request body; returns false if one is left unread. */
    private boolean drainBody(Flow flow) throws IOException {
        BodyFraming framing;
        try {
            framing = BodyFraming.ofRequest(flow.request());
        } catch (ProtocolException e) {
            return false;
        }
        if (framing instanceof BodyFraming.None) {
            return true;
        }
        if (flow.request().headers().contains("Expect")) {
            return false; // the client waits for a 100 before sending: answer now and close instead (RFC 9110 section 10.1.1)
        }
        if (!(framing instanceof BodyFraming.Fixed fixed) || fixed.length() > MAX_DRAINED_BODY) {
            return false;
        }
        long remaining = fixed.length();
        while (remaining > 0) {
            if (session.in().buffered() == 0 && session.in().fill() < 0) {
                return false;
            }
            remaining -= session.in().skipBuffered((int) Math.min(remaining, Integer.MAX_VALUE));
        }
        flow.addBytesFromClient(fixed.length());
        return true;
    }

    private String html() {
        ServerContext ctx = session.context();
        String address = ctx.settings().listen().host() + ":" + ctx.self().port();
        return """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>wiretap</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:44em;margin:3em auto;padding:0 1em;color:#222}
                code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}</style></head>
                <body>
                <h1>wiretap %s</h1>
                <p>This is wiretap, an HTTP debugging proxy, listening on <code>%s</code>.
                You reached the proxy itself rather than a site through it.</p>
                <p>To send traffic through wiretap, set it as your HTTP and HTTPS proxy:</p>
                <ul>
                <li>curl: <code>curl -x http://%s http://example.com/</code></li>
                <li>environment: <code>export http_proxy=http://%s https_proxy=http://%s</code></li>
                <li>Chromium: <code>chromium --proxy-server=%s</code></li>
                </ul>
                </body></html>
                """.formatted(ctx.version(), address, address, address, address, address);
    }
}
