package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.tls.ClientHello;
import dev.wiretap.proxy.tls.InterceptTls;
import dev.wiretap.proxy.upstream.ReservedConnection;
import dev.wiretap.proxy.upstream.Route;
import dev.wiretap.proxy.upstream.UpstreamException;
import dev.wiretap.proxy.http1.HttpInput;
import java.io.IOException;
import java.util.Optional;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * Serves a CONNECT request (RFC 9110 section 9.3.6).
 *
 * <p>When HTTPS interception is on and the host is not one to pass through, wiretap answers 200 and looks at what
 * the client sends first: a TLS ClientHello whose server name (SNI) is one to pass through is relayed untouched like a
 * pass-through host's, before any certificate is made; any other ClientHello is answered as the origin would, with a certificate minted for the host
 * ({@link InterceptTls}), and the session then reads the requests inside the tunnel like any others, as flows of
 * their own with https URLs; plain HTTP is read the same way without TLS; anything else is relayed untouched. The
 * origin is reached per request, through the pool.
 *
 * <p>Before answering 200, an intercepted tunnel connects to the origin (unless the pool holds a connection to it):
 * an origin that cannot be reached gets the client a 502 at once, which browsers show better than a failure after
 * the handshake, and a server that speaks first (SMTP, SSH) is heard ({@link FirstSpeaker}). That connection is never
 * left waiting bare: on a ClientHello TLS starts on it at once and it is kept for the tunnel's first request
 * ({@link ReservedConnection}), which uses it or lets it be closed; for plain HTTP it is closed; anything else is
 * relayed over it. When the origin cannot be reached but a rule may answer in its place, the tunnel opens anyway
 * (mitmproxy's lazy strategy) and each request connects when it needs to.
 *
 * <p>Otherwise (interception off, a pass-through host) wiretap connects to the host first (through the upstream proxy
 * if one is set), answers 200, and relays bytes both ways untouched until both sides are done ({@link Splice}); the
 * flow records the tunnel's bytes each way and its duration.
 *
 * <p>Made for one exchange (the CONNECT's), on the client connection's thread. The CONNECT's flow ends when the tunnel
 * is open for interception ({@link Outcome#TUNNEL}: the session reads the requests inside), or when a relayed tunnel
 * has ended. The connection to the origin opened here is not the pool's: this class closes it, or hands it to the
 * tunnel's first request as the session's {@link ReservedConnection}.
 */
final class ConnectTunnel {

    private static final byte[] ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final Exchange exchange;
    private final ClientSession session;
    private final ServerContext ctx;
    private final LiveFlow flow;

    ConnectTunnel(Exchange exchange, ClientSession session) {
        this.exchange = exchange;
        this.session = session;
        this.ctx = exchange.context();
        this.flow = exchange.flow();
    }

    /**
     * Serves the CONNECT; returns {@link Outcome#TUNNEL} when the session goes on reading requests inside the tunnel,
     * KEEP when it goes on reading them outside (after a failure or a rule's answer), else CLOSE or LINGER.
     */
    Outcome open() throws IOException {
        if (!ClientSession.hasNoBody(flow.request())) {
            return exchange.reject(400, "a CONNECT request must not have a body", FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (!exchange.runHook(Exchange.Hook.REQUEST_HEAD, false)) {
            // The 500 went out without Connection: close when the client may carry on; the connection closes all the same.
            return exchange.closing();
        }
        if (flow.answer().isPresent()) {
            return new AnswerResponder(exchange, session).answer(flow.answer().get(), true); // a rule blocked the tunnel
        }
        Destination target = flow.request().destination().orElseThrow();
        boolean intercepting = ctx.interceptTls().isPresent() && !ctx.settings().tls().isPassthrough(target.host());
        if (intercepting && ctx.pool().hasIdle(httpsRoute(target))) {
            // A pooled connection to the origin proves it reachable and will serve the tunnel's first request.
            return intercept(target, ctx.interceptTls().get(), null);
        }
        Socket upstream;
        try {
            upstream = ctx.dialer().dialTunnel(tunnelRoute(target), flow);
        } catch (UpstreamException e) {
            if (intercepting && addonsMayAnswer()) {
                // A mock for a host that is down (or does not exist yet): open the tunnel anyway, as mitmproxy's lazy
                // connection strategy does. Requests a rule answers never need the origin; the others get the 502
                // when their own connection fails.
                flow.addNote("the origin could not be reached when the tunnel opened (" + e.getMessage()
                        + "); intercepted anyway, as rules answer in the origin's place");
                return intercept(target, ctx.interceptTls().get(), null);
            }
            // Bytes the client sent on optimistically, expecting a tunnel, must not be read as a request.
            return exchange.failWith(e.status(), e.getMessage(), e.kind(), hasTunnelBytes());
        }
        flow.setUpstream(upstream.getInetAddress().getHostAddress() + ":" + upstream.getPort(), false);
        if (intercepting) {
            return intercept(target, ctx.interceptTls().get(), upstream);
        }
        try {
            if (!established()) {
                return Outcome.CLOSE;
            }
            flow.markTunnelled();
            relay(upstream);
        } finally {
            upstream.close();
        }
        return Outcome.CLOSE;
    }

    /** A tunnel to wiretap's own magic host: intercepted with no origin behind it, its requests get wiretap's page. */
    Outcome openToWiretap() throws IOException {
        if (!exchange.runHook(Exchange.Hook.REQUEST_HEAD, false)) {
            return exchange.closing();
        }
        return intercept(flow.request().destination().orElseThrow(), ctx.interceptTls().orElseThrow(), null);
    }

    private boolean addonsMayAnswer() {
        return ctx.addons().stream().anyMatch(dev.wiretap.proxy.addon.Addon::mayAnswerLocally);
    }

    private Route httpsRoute(Destination target) {
        return Route.of("https", target.host(), target.port(), ctx.settings().upstreamProxies());
    }

    private Route tunnelRoute(Destination target) {
        return Route.of("tcp", target.host(), target.port(), ctx.settings().upstreamProxies());
    }

    /** Answers 200 and records it; false if the client is gone (the flow has then ended). */
    private boolean established() throws IOException {
        try {
            session.out().write(ESTABLISHED, 0, ESTABLISHED.length);
            session.out().release(); // an open tunnel holds no write buffer
        } catch (IOException e) {
            exchange.failClientGone("client went away before the tunnel opened: " + e.getMessage());
            return false;
        }
        flow.setResponse(new Response(HttpVersion.HTTP_1_1, 200, "Connection established", new Headers(), ESTABLISHED));
        exchange.responded();
        return true;
    }

    /**
     * Opens the tunnel and decides by its first byte what to do with it. {@code upstream} is already connected
     * towards the origin (or null): for TLS it is kept for the tunnel's first request, with TLS started on it at once.
     */
    private Outcome intercept(Destination target, InterceptTls tls, Socket upstream) throws IOException {
        try {
            if (!established()) {
                return Outcome.CLOSE;
            }
            if (upstream != null) {
                int greeting = FirstSpeaker.await(session.socket(), session.in(), upstream);
                if (greeting != FirstSpeaker.CLIENT) {
                    return relayServerFirst(upstream, greeting);
                }
            }
            return switch (firstByte()) {
                case -2, -1 -> Outcome.CLOSE;
                case TLS_HANDSHAKE_RECORD -> {
                    if (!awaitClientHello(target)) {
                        yield Outcome.CLOSE;
                    }
                    Optional<String> passedName = passThroughName(target);
                    if (passedName.isPresent()) {
                        flow.addNote("passed through untouched: the client asked for " + passedName.get()
                                + " (its TLS server name), which tls.passthrough names");
                        yield relayRaw(target, upstream);
                    }
                    Socket plain = upstream;
                    upstream = null; // from here the reserved connection, or acceptTls, closes it
                    yield acceptTls(target, tls, plain);
                }
                default -> {
                    if (looksLikeHttp(session.in().peek())) {
                        flow.markIntercepted();
                        exchange.complete();
                        session.enterTunnel(session.socket(), new Destination("http", target.host(), target.port(), "/"), null, null);
                        yield Outcome.TUNNEL;
                    }
                    yield relayRaw(target, upstream);
                }
            };
        } finally {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    /**
     * Reads the client's whole ClientHello into the session's buffer, unconsumed (a hello split over records or reads
     * included): what it asks for decides whether the tunnel is decrypted, before any certificate is made. Bytes that are
     * no ClientHello, or a hello cut short by the client's end, are left to the handshake, which fails on them. The
     * handshake's time starts here: false (the flow ended) if the hello did not come whole within it.
     */
    private boolean awaitClientHello(Destination target) throws IOException {
        HttpInput in = session.in();
        handshakeDeadline = System.nanoTime() + ctx.settings().timeouts().clientHeader().toNanos();
        in.setDeadline(handshakeDeadline);
        try {
            while (ClientHello.length(in.peekBuffered()) < 0 && in.fill(ClientHello.MAX_BYTES) >= 0) {
                // more of the hello is on its way
            }
            return true;
        } catch (SocketTimeoutException e) {
            exchange.fail(new FlowError(FlowError.Kind.TLS, "TLS handshake with the client for " + target.host()
                    + " failed: did not complete in time"));
            return false;
        } finally {
            in.clearDeadline();
        }
    }

    /** When the client's TLS handshake must be over: set as its ClientHello begins to be read. */
    private long handshakeDeadline;

    /**
     * The name the ClientHello asks for (its SNI), when it differs from the CONNECT's host and {@code tls.passthrough}
     * names it: a tunnel opened to an address (or another name) for a host that is not to be decrypted.
     */
    private Optional<String> passThroughName(Destination target) {
        return ClientHello.serverName(session.in().peekBuffered(), target.host())
                .filter(name -> !name.equalsIgnoreCase(target.host()) && ctx.settings().tls().isPassthrough(name));
    }

    /**
     * Answers the client's TLS handshake as {@code target}, and goes on reading requests inside. {@code plain}, if not
     * null, is the connection opened towards the origin at the CONNECT: TLS starts on it at once, for the name the
     * ClientHello asks for (when the hello at hand shows it, else as soon as the client's handshake is done), and it is
     * kept for the tunnel's first request (or closed).
     */
    private Outcome acceptTls(Destination target, InterceptTls tls, Socket plain) throws IOException {
        long start = System.nanoTime();
        byte[] hello = session.in().takeBuffered();
        // Only a whole hello tells what the client offers: one that came in pieces is learnt from the handshake itself.
        boolean whole = ClientHello.isWhole(hello);
        offersH2 = ctx.settings().http2().enabled() && whole && ClientHello.offersProtocol(hello, "h2");
        ReservedConnection reserved = plain == null || !whole ? null
                : ClientHello.serverName(hello, target.host()).map(name -> reserve(target, name, plain)).orElse(null);
        boolean entered = false;
        try {
            SSLSocket tlsSocket = handshakeWithClient(target, tls, hello);
            if (tlsSocket == null) {
                return Outcome.CLOSE;
            }
            flow.markIntercepted();
            flow.setReceiveNanos(System.nanoTime() - start);
            exchange.complete();
            String sni = sniOtherThan(tlsSocket, target.host());
            if (plain != null && reserved == null) {
                // The hello did not show its name and protocols: now the handshake has.
                offersH2 = "h2".equals(tlsSocket.getApplicationProtocol());
                reserved = reserve(target, sni, plain);
            }
            session.enterTunnel(tlsSocket, tunnelDestination(target), sni, reserved);
            entered = true;
            return Outcome.TUNNEL;
        } finally {
            if (!entered) {
                if (reserved != null) {
                    reserved.close();
                } else if (plain != null) {
                    plain.close();
                }
            }
        }
    }

    /** Starts TLS towards the origin on {@code plain}, for {@code name} (null: the CONNECT host). */
    private ReservedConnection reserve(Destination target, String name, Socket plain) {
        // The origin is offered what the client offered wiretap: h2 too when the client will speak it.
        ctx.pool().countReserved();
        return ReservedConnection.secure(ctx.dialer(), httpsRoute(target).withTlsName(name), plain, flow.timings(), offersH2);
    }

    /** Whether the client's ClientHello offered h2 (and HTTP/2 is on): then so does the reserved connection. */
    private boolean offersH2;

    /** The server side of the client's handshake; null (and the flow ended) if it failed. */
    private SSLSocket handshakeWithClient(Destination target, InterceptTls tls, byte[] hello) throws IOException {
        session.watch().arm(handshakeDeadline != 0 ? handshakeDeadline
                : System.nanoTime() + ctx.settings().timeouts().clientHeader().toNanos());
        try {
            return tls.accept(session.socket(), hello, target.host());
        } catch (InterceptTls.ClientRejectedCertificate e) {
            String why = session.watch().expired()
                    ? "TLS handshake with the client for " + target.host() + " failed: did not complete in time" : e.getMessage();
            exchange.fail(new FlowError(FlowError.Kind.TLS, why));
            return null;
        } catch (SSLException e) {
            String why = session.watch().expired() ? "did not complete in time" : reason(e);
            exchange.fail(new FlowError(FlowError.Kind.TLS, "TLS handshake with the client for " + target.host() + " failed: " + why));
            return null;
        } finally {
            session.watch().disarm();
        }
    }

    /**
     * What broke a handshake, in words: the JDK wraps a connection's end or reset in an SSLException whose own message
     * is the name of its method ("readHandshakeRecord"), so the cause says it.
     */
    private static String reason(SSLException e) {
        Throwable cause = e.getCause();
        return cause instanceof IOException io && !(cause instanceof SSLException) && io.getMessage() != null
                ? io.getMessage() : e.getMessage();
    }

    /**
     * The server spoke first (SMTP, SSH, FTP...): not TLS from the client, so relayed untouched, starting with the
     * byte already read (-1: the server closed at once).
     */
    private Outcome relayServerFirst(Socket upstream, int first) throws IOException {
        if (first < 0) {
            exchange.complete();
            return Outcome.CLOSE;
        }
        try {
            session.out().write(first);
            session.out().release();
        } catch (IOException e) {
            return exchange.failClientGone("client went away before the server's greeting: " + e.getMessage());
        }
        flow.addBytesToClient(1);
        flow.markTunnelled();
        relay(upstream);
        return Outcome.CLOSE;
    }

    /** Neither TLS nor HTTP: relayed untouched, on the connection made for the CONNECT or on a new one. */
    private Outcome relayRaw(Destination target, Socket upstream) throws IOException {
        Socket socket = upstream;
        if (socket == null) {
            try {
                socket = ctx.dialer().dialTunnel(tunnelRoute(target), flow);
            } catch (UpstreamException e) {
                exchange.fail(e.toFlowError()); // the 200 is out: all that is left is to close
                return Outcome.CLOSE;
            }
        }
        try {
            flow.markTunnelled();
            relay(socket);
        } finally {
            if (socket != upstream) {
                socket.close();
            }
        }
        return Outcome.CLOSE;
    }

    /**
     * The first byte the client sends into the tunnel, unconsumed; -1 if it closed the tunnel at once, -2 if it sent
     * nothing in time (the flow has then ended).
     */
    private int firstByte() throws IOException {
        try {
            int first = session.in().peek();
            if (first < 0) {
                exchange.complete(); // opened and closed again: nothing to see
            }
            return first;
        } catch (SocketTimeoutException e) {
            exchange.fail(new FlowError(FlowError.Kind.CLIENT_TIMEOUT, "client sent nothing into the tunnel"));
            return -2;
        }
    }

    private static Destination tunnelDestination(Destination target) {
        return new Destination("https", target.host(), target.port(), "/");
    }

    /**
     * The host name the client asked for in its SNI when it differs from the CONNECT host (a tunnel opened to an
     * address, or to a name other than the one the client wants), else null.
     */
    private static String sniOtherThan(SSLSocket tls, String host) {
        if (tls.getSession() instanceof ExtendedSSLSession session) {
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName h && !h.getAsciiName().equalsIgnoreCase(host)) {
                    return h.getAsciiName();
                }
            }
        }
        return null;
    }

    /** An HTTP request starts with a method, which is a token: in practice upper-case letters. */
    private static boolean looksLikeHttp(int first) {
        return first >= 'A' && first <= 'Z';
    }

    /** Whether the client already sent bytes past the CONNECT head, meant for the tunnel. */
    private boolean hasTunnelBytes() {
        return session.in().buffered() > 0;
    }

    /** Relays the tunnel's bytes until both directions have ended; then the flow ends. */
    private void relay(Socket upstream) {
        long start = System.nanoTime();
        Splice.Result moved = new Splice(ctx.bodyBuffers(), ctx.directBuffers(), ctx.watchdog(), ctx.settings().timeouts().tunnelIdle())
                .run(session.socket(), session.in(), upstream, null);
        flow.addBytesFromClient(moved.aToB());
        flow.addBytesToClient(moved.bToA());
        flow.setReceiveNanos(System.nanoTime() - start);
        exchange.complete();
    }
}
