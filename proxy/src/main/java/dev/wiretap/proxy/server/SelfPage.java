package dev.wiretap.proxy.server;

import dev.wiretap.config.HostPort;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.tls.TrustInstructions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * wiretap's own page, served for requests addressed to wiretap itself: an origin-form request ({@code GET /}
 * sent to the proxy as if it were a web server), an absolute URL naming wiretap's own address, or the magic host
 * {@code http://wiretap/}. Such a request is never forwarded, which would loop back here.
 *
 * <p>At {@code /} a page about the proxy and, when HTTPS interception is on, how to trust wiretap's CA (the same
 * {@link TrustInstructions} {@code wiretap ca} prints); at {@code /wiretap-ca.pem}, {@code .cer} and {@code .crt} the
 * CA certificate; elsewhere 404. Runs on the client connection's thread, made for one exchange.
 */
final class SelfPage {

    /** A body this small is read and dropped so the connection can carry on; a larger one closes it. */
    private static final long MAX_DRAINED_BODY = 64 * 1024;

    private final Exchange exchange;
    private final ClientSession session;
    private final ServerContext ctx;

    SelfPage(Exchange exchange, ClientSession session) {
        this.exchange = exchange;
        this.session = session;
        this.ctx = exchange.context();
    }

    /** Answers the exchange's request and ends it; returns what the client connection does next. */
    Outcome answer() throws IOException {
        LiveFlow flow = exchange.flow();
        boolean bodyRead = drainBody(flow);
        boolean keep = exchange.mayKeep(bodyRead);
        exchange.sendLocal(respond(flow.request()), !keep);
        exchange.complete();
        return keep ? Outcome.KEEP : Outcome.CLOSE;
    }

    /** The page, a download of the CA certificate, or why not. */
    LocalResponse respond(Request request) {
        String method = request.method();
        if (method.equals("OPTIONS")) {
            return new LocalResponse(200, "OK", "text/plain; charset=utf-8", new byte[0]);
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            // RFC 9110 section 15.5.6: a 405 says which methods are allowed.
            return LocalResponse.error(405, "wiretap's own page only answers GET and HEAD").with("Allow", "GET, HEAD, OPTIONS");
        }
        String path = path(request);
        Optional<CertificateAuthority> ca = ctx.certificateAuthority();
        if (path.equals("/")) {
            return new LocalResponse(200, "OK", "text/html; charset=utf-8", html(ca).getBytes(StandardCharsets.UTF_8));
        }
        Optional<Download> download = Download.at(path);
        if (download.isEmpty()) {
            return LocalResponse.error(404, "wiretap's own page has nothing at " + path + "; see / for what it has");
        }
        if (ca.isEmpty()) {
            return LocalResponse.error(404, "HTTPS interception is off (--no-intercept): there is no CA certificate");
        }
        return download.get().of(ca.get());
    }

    /**
     * The CA certificate as wiretap's page offers it. PEM for tools; DER for browsers and phones, which offer to
     * install a certificate served as {@code application/x-x509-ca-cert} (Firefox, Android) and save one served as
     * {@code application/pkix-cert} (RFC 2585 section 4.1) for the system's certificate tool to open.
     */
    private enum Download {
        PEM("/wiretap-ca.pem", "application/x-pem-file"),
        CER("/wiretap-ca.cer", "application/x-x509-ca-cert"),
        CRT("/wiretap-ca.crt", "application/pkix-cert");

        private final String path;
        private final String contentType;

        Download(String path, String contentType) {
            this.path = path;
            this.contentType = contentType;
        }

        static Optional<Download> at(String path) {
            for (Download d : values()) {
                if (d.path.equals(path)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        }

        LocalResponse of(CertificateAuthority ca) {
            byte[] body = this == PEM ? ca.certificatePem().getBytes(StandardCharsets.US_ASCII) : ca.certificateDer();
            return new LocalResponse(200, "OK", contentType, body);
        }
    }

    /** The request's path without its query ({@code /} for {@code *}). */
    private static String path(Request request) {
        String target = request.destination().map(Destination::pathAndQuery).orElse("/");
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** Reads and drops a small request body; returns false if one is left unread. */
    private boolean drainBody(LiveFlow flow) throws IOException {
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

    private String html(Optional<CertificateAuthority> ca) {
        String address = new HostPort(ctx.settings().listen().host(), ctx.self().port()).toString();
        String https = ca.map(authority -> """
                <h2>Intercepting HTTPS</h2>
                <p>Download wiretap's CA certificate: <a href="/wiretap-ca.pem">wiretap-ca.pem</a> (PEM, for most tools)
                or <a href="/wiretap-ca.cer">wiretap-ca.cer</a> (DER; browsers and phones offer to install it).</p>
                """ + TrustInstructions.forDownload(authority.certificate(), address).html())
                .orElse("""
                <h2>HTTPS</h2>
                <p>HTTPS interception is off (<code>--no-intercept</code>): HTTPS sites go through untouched CONNECT
                tunnels, so there is no certificate to trust, and the log shows each tunnel's host and size rather
                than the requests inside it.</p>
                """);
        return """
                <!doctype html>
                <html><head><meta charset="utf-8"><title>wiretap</title>
                <style>body{font:16px/1.5 system-ui,sans-serif;max-width:50em;margin:3em auto;padding:0 1em;color:#222}
                code{background:#f2f2f2;padding:.1em .3em;border-radius:3px}
                pre{background:#f2f2f2;padding:.5em .8em;border-radius:3px;overflow-x:auto}pre code{padding:0}
                .fingerprint{word-break:break-all}</style></head>
                <body>
                <h1>wiretap %s</h1>
                <p>This is wiretap, an HTTP debugging proxy, listening on <code>%s</code>.
                You reached the proxy itself rather than a site through it.</p>
                <p>To send traffic through wiretap, set it as your HTTP and HTTPS proxy:</p>
                <ul>
                <li>curl: <code>curl -x http://%s http://example.com/</code></li>
                <li>environment: <code>export http_proxy=http://%s https_proxy=http://%s</code></li>
                <li>Chromium, Chrome: <code>chromium --proxy-server=%s --proxy-bypass-list='&lt;-loopback&gt;'</code>
                (without the bypass list, Chromium sends <code>localhost</code> and other loopback traffic past the proxy)</li>
                </ul>
                %s</body></html>
                """.formatted(ctx.version(), address, address, address, address, address, https);
    }
}
