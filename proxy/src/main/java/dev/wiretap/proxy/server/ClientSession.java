package dev.wiretap.proxy.server;

import dev.wiretap.config.Timeouts;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.HttpOutput;
import dev.wiretap.proxy.io.BodyPace;
import dev.wiretap.proxy.io.ReadWatchdog;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http1.RequestTarget;
import dev.wiretap.proxy.upstream.ReservedConnection;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.Optional;

/**
 * One client connection, served on its own virtual thread: the HTTP/1 loop. Reads requests one after another
 * (keep-alive, pipelining answered in order), makes an {@link Exchange} for each and hands it to the
 * {@link Forwarder}, the {@link ConnectTunnel} or wiretap's own page, whose {@link Outcome} says whether the connection
 * goes on; closes when the client asks, when the protocol demands it, when the connection has been idle too long, or
 * when wiretap stops. It is its exchanges' {@link Downstream}, one at a time, and the HTTP/1 handlers read and write
 * the connection through it ({@link #in()}, {@link #out()}, {@link #socket()}).
 *
 * <p>States: idle (waiting for the first byte of a request, bounded by the idle timeout; wiretap may close it at
 * once on stop) and busy (a head must arrive within the header timeout; then the exchange runs to its end).
 */
final class ClientSession implements Runnable, Downstream {

    private static final System.Logger LOG = System.getLogger(ClientSession.class.getName());

    /** Reading buffer per connection: enough for the heads of most requests, small enough for 2,000 idle clients. */
    /**
     * The input buffer an idle connection keeps: room for a small request's head (curl's, an API client's, many a
     * browser's); a bigger head is read on into one of the context's head buffers, given back when the exchange ends.
     * Thousands of idle keep-alive connections then hold a kilobyte each, not four.
     */
    private static final int IDLE_INPUT_BYTES = 1024;
    /** Lingering ends when the client has sent nothing for this long ... */
    private static final int LINGER_QUIET_MILLIS = 200;
    /** ... or after this long in all, or once this much was dropped (as nginx's lingering_timeout and _time). */
    private static final int LINGER_MAX_MILLIS = 2000;
    private static final long MAX_LINGER_BYTES = 1024 * 1024;

    private final ServerContext ctx;
    private final Listener listener;
    /** The client's TCP connection. */
    private final Socket rawSocket;
    /** What requests are read from: the TCP connection, or the TLS connection inside an intercepted tunnel. */
    private Socket socket;
    /** Inside a tunnel: where origin-form requests go (https://host:port of the CONNECT), else null. */
    private Destination tunnelOrigin;
    private String tunnelTlsName;
    /** Inside an intercepted tunnel: its TLS with the client, for each flow read in it; else null. */
    private TlsHandshake tunnelTls;
    /**
     * The connection to the tunnel's origin opened at the CONNECT, until the tunnel's first exchange has used it or
     * ended; closed by this session's thread, or by a stop's cut-off.
     */
    private volatile ReservedConnection reserved;
    private final InetSocketAddress clientAddress;
    private volatile boolean idle = true;
    private ReadWatchdog.Watch watch;
    private HttpInput in;
    private HttpOutput out;
    /**
     * The exchange in progress (or the last one, when it ended the connection), so that whatever ends the connection
     * also ends its flow, and a stop can cut off its origin connection; set by this session's thread.
     */
    private volatile Exchange current;
    /** Set when the last exchange's outcome was to linger: the close lingers so the client can read the answer. */
    private boolean lingerOnClose;
    /** Whether the tunnel's TLS picked HTTP/2 (ALPN h2): its requests come as streams, served by {@link #http2}. */
    private boolean http2Tunnel;
    /** The HTTP/2 connection inside the tunnel, once serving; else null. */
    private volatile ClientHttp2 http2;

    /** The pace each request body on this connection must keep (started anew for each). */
    private final BodyPace bodyPace;

    /** For a replay: the flow it repeats, and where its new flow goes when it ends; else null. */
    private final ReplayTicket replay;
    /** Whether the replay's own exchange (the first one this session reads) has been made. */
    private boolean replayMade;

    ClientSession(ServerContext ctx, Listener listener, Socket socket) {
        this(ctx, listener, socket, null);
    }

    /** A session whose first request is a replay ({@link Replayer}) when {@code replay} is not null. */
    ClientSession(ServerContext ctx, Listener listener, Socket socket, ReplayTicket replay) {
        this.ctx = ctx;
        this.listener = listener;
        this.rawSocket = socket;
        this.socket = socket;
        this.clientAddress = (InetSocketAddress) socket.getRemoteSocketAddress();
        this.replay = replay;
        this.bodyPace = new BodyPace(ctx.settings().timeouts().clientBody(), ctx.settings().limits().minBodyRate());
    }

    /** Whether this is a replay's connection, which wiretap made itself (not a client's). */
    boolean isReplay() {
        return replay != null;
    }

    /** The connection requests are read from now (TLS inside an intercepted tunnel). */
    Socket socket() {
        return socket;
    }

    @Override
    public String tlsNameFor(Destination destination) {
        if (tunnelTlsName == null || tunnelOrigin == null || !destination.scheme().equals(tunnelOrigin.scheme())
                || !destination.host().equalsIgnoreCase(tunnelOrigin.host()) || destination.port() != tunnelOrigin.port()) {
            return null;
        }
        return tunnelTlsName;
    }

    /** Whether requests are read inside a CONNECT tunnel (then the client negotiated the protocol with wiretap). */
    boolean isInTunnel() {
        return tunnelOrigin != null;
    }

    ReadWatchdog.Watch watch() {
        return watch;
    }

    /** The TLS between the client and wiretap in the intercepted tunnel this session reads, or null outside one. */
    TlsHandshake tunnelTls() {
        return tunnelTls;
    }

    @Override
    public ReservedConnection reserved() {
        return reserved;
    }

    @Override
    public void closeReserved() {
        ReservedConnection r = reserved;
        if (r != null) {
            reserved = null;
            r.close();
        }
    }

    /**
     * Goes on reading requests inside a CONNECT tunnel: from {@code tunnelSocket} (a TLS connection wiretap just
     * accepted, or the same TCP connection for plain HTTP), with origin-form targets going to {@code origin}.
     *
     * @param tlsName  the name the client asked for in its SNI when it differs from the origin's host (a tunnel to an
     *                 address), else null: the origin is asked for and checked against that name
     * @param reserved the connection to the origin opened at the CONNECT, for the tunnel's first request, or null
     */
    void enterTunnel(Socket tunnelSocket, Destination origin, String tlsName, ReservedConnection reserved) throws IOException {
        tunnelOrigin = origin;
        tunnelTlsName = tlsName;
        tunnelTls = tunnelSocket instanceof javax.net.ssl.SSLSocket tls ? TlsHandshake.of(tls) : null;
        this.reserved = reserved;
        if (tunnelSocket != socket) {
            out.release();
            socket = tunnelSocket;
            http2Tunnel = tunnelSocket instanceof javax.net.ssl.SSLSocket tls && "h2".equals(tls.getApplicationProtocol());
            var channel = tunnelSocket instanceof javax.net.ssl.SSLSocket ? null : tunnelSocket.getChannel();
            in = new HttpInput(tunnelSocket.getInputStream(), channel, IDLE_INPUT_BYTES, ctx.headBuffers(), watch);
            out = new HttpOutput(tunnelSocket.getOutputStream(), channel, ctx.headBuffers());
        }
    }

    HttpInput in() {
        return in;
    }

    HttpOutput out() {
        return out;
    }

    /** True while no request is in progress (wiretap may close the connection at once on stop). */
    boolean isIdle() {
        return idle;
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            watch = ctx.watchdog().watch(socket);
            in = new HttpInput(socket.getInputStream(), socket.getChannel(), IDLE_INPUT_BYTES, ctx.headBuffers(), watch);
            out = new HttpOutput(socket.getOutputStream(), socket.getChannel(), ctx.headBuffers());
            serveRequests();
        } catch (SocketTimeoutException | EOFException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + clientAddress + ": " + e);
            endUnfinished(FlowError.Kind.CLIENT_CLOSED, "client connection ended: " + e.getMessage());
        } catch (SocketException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + clientAddress + " went away: " + e.getMessage());
            endUnfinished(FlowError.Kind.CLIENT_CLOSED, "client went away: " + e.getMessage());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "client " + clientAddress + ": I/O error " + e);
            endUnfinished(FlowError.Kind.CLIENT_CLOSED, "client connection failed: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "wiretap bug while serving " + clientAddress, e);
            endUnfinished(FlowError.Kind.INTERNAL, "wiretap failed: " + e);
        } finally {
            closeReserved();
            if (out != null) {
                out.discard();
            }
            if (watch != null) {
                watch.close();
            }
            if (lingerOnClose || (current != null && current.closing() == Outcome.LINGER)) {
                // A handler that threw while wiretap's error answer went out leaves no outcome: the exchange's says it.
                lingerAndClose();
            } else {
                closeQuietly();
            }
            listener.sessionEnded(this);
            if (replay != null) {
                // Without effect when the replay's flow ended (the usual case): only a session that ended before
                // making one leaves the future to fail here.
                replay.result().completeExceptionally(new IOException("the replay of flow " + replay.originalId()
                        + " ended before its request was read"));
            }
        }
    }

    /** Ends the exchange in progress, if its flow did not end yet, so it never stays in flight for good. */
    private void endUnfinished(FlowError.Kind kind, String message) {
        Exchange exchange = current;
        if (exchange != null) {
            exchange.failUnlessEnded(kind, message);
        }
    }

    /**
     * Closes after an error answer without losing it (RFC 9112 section 9.6): closing a socket that still has unread
     * input makes the kernel send a reset, which can destroy the answer before the client reads it. So the output is
     * shut first, and what the client still sends is read and dropped until it closes or goes quiet.
     */
    private void lingerAndClose() {
        try {
            socket.getOutputStream().flush();
            rawSocket.shutdownOutput();
            rawSocket.setSoTimeout(LINGER_QUIET_MILLIS);
            long deadline = System.nanoTime() + LINGER_MAX_MILLIS * 1_000_000L;
            long drained = 0;
            byte[] sink = new byte[4096];
            int n;
            while (drained < MAX_LINGER_BYTES && System.nanoTime() < deadline && (n = rawSocket.getInputStream().read(sink)) > 0) {
                drained += n;
            }
        } catch (IOException done) {
            // The client closed, reset or stayed silent: either way the lingering is over.
        } finally {
            closeQuietly();
        }
    }

    private void serveRequests() throws IOException {
        Timeouts timeouts = ctx.settings().timeouts();
        long idleNanos = timeouts.clientIdle().toNanos();
        long readNanos = timeouts.clientRead().toNanos();
        long headerNanos = timeouts.clientHeader().toNanos();
        while (!listener.isDraining()) {
            idle = true;
            if (in.buffered() == 0) {
                Thread.yield(); // as for a response: a kept-alive client's next request is often just behind
                in.setReadTimeout(idleNanos);
                if (!in.await()) {
                    return; // the client closed its side between requests: the normal end of keep-alive
                }
            }
            idle = false;
            in.pace(null);
            long startNanos = System.nanoTime();
            Instant started = Instant.now();
            in.setDeadline(startNanos + headerNanos);
            long consumedBefore = in.consumedCount();
            Optional<Request> request;
            try {
                request = ctx.requestParser().read(in);
            } catch (ProtocolException e) {
                lingerOnClose = rejectHead(started, startNanos, e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL)
                        == Outcome.LINGER;
                return;
            } catch (SocketTimeoutException e) {
                lingerOnClose = rejectHead(started, startNanos, 408, "the request head did not arrive within "
                        + LocalResponse.duration(timeouts.clientHeader()), FlowError.Kind.CLIENT_TIMEOUT) == Outcome.LINGER;
                return;
            }
            in.clearDeadline();
            if (request.isEmpty()) {
                return;
            }
            in.setReadTimeout(readNanos);
            if (!request.get().isMethod("CONNECT") && !hasNoBody(request.get())) {
                in.pace(bodyPace); // the body must keep up; a tunnel's bytes are no body
            }
            Exchange exchange = newExchange(started, startNanos, request.get());
            exchange.flow().addBytesFromClient(in.consumedCount() - consumedBefore);
            Outcome outcome = drive(exchange);
            if (!outcome.carriesOn()) {
                lingerOnClose = outcome == Outcome.LINGER;
                return;
            }
            if (http2Tunnel) {
                current = null;
                out.discard();
                ClientHttp2 h2 = new ClientHttp2(ctx, this, listener, socket, tunnelOrigin, clientAddress);
                http2 = h2;
                h2.serve(); // the tunnel's requests come as HTTP/2 streams from here to the connection's end
                return;
            }
            current = null;
            out.release();
            in.shrink();
        }
    }

    /**
     * Serves one exchange to its end and returns what the connection does next. Whatever path the handler took, the
     * upstream connection it borrowed is given back by then: a handler that returned normally has done so, and one
     * that threw leaves it to be closed here.
     */
    private Outcome drive(Exchange exchange) throws IOException {
        current = exchange;
        boolean inTunnel = tunnelOrigin != null;
        try {
            return serve(exchange);
        } finally {
            exchange.closeUpstream();
            if (inTunnel) {
                closeReserved(); // the tunnel's first exchange is over: used by it or not, it is no one else's
            }
        }
    }

    /** Serves one request: resolves its target and hands it to the handler it is for. */
    private Outcome serve(Exchange exchange) throws IOException {
        Request request = exchange.request();
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.method(), request.target());
            RequestTarget.checkHost(request);
        } catch (ProtocolException e) {
            return exchange.reject(e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (tunnelOrigin != null) {
            return serveInTunnel(exchange, target);
        }
        if (replay == null && !ctx.access().authorizes(request)) {
            return challenge(exchange, target);
        }
        switch (target.form()) {
            case ORIGIN, ASTERISK -> {
                request.setDestination(selfDestination(target.pathAndQuery()));
                exchange.requested();
                return new SelfPage(exchange, this).answer();
            }
            case AUTHORITY -> {
                request.setDestination(new Destination("tcp", target.host(), target.port(), ""));
                exchange.requested();
                if (target.host().equalsIgnoreCase(SelfAddress.MAGIC_HOST) && ctx.interceptTls().isPresent()) {
                    return new ConnectTunnel(exchange, this).openToWiretap(); // https://wiretap/: the page, over TLS
                }
                if (ctx.self().isSelf(target.host(), target.port())) {
                    // Bytes already read after the CONNECT were meant for the tunnel: see ConnectTunnel.hasTunnelBytes.
                    return exchange.failWith(508, "a tunnel to " + target.host() + ":" + target.port()
                            + " would lead back to wiretap itself", FlowError.Kind.LOOP, in.buffered() > 0);
                }
                return new ConnectTunnel(exchange, this).open();
            }
            default -> {
                Destination destination = target.destination();
                request.setDestination(destination);
                exchange.requested();
                if (ctx.self().isSelf(destination.host(), destination.port())) {
                    return new SelfPage(exchange, this).answer();
                }
                return new Forwarder(exchange, this).forward();
            }
        }
    }

    /**
     * Answers a request without the credentials {@code clients.auth} asks for with 407 and its challenge, before
     * anything else is done with it (RFC 9110 section 15.5.8). The connection carries on when nothing of the request is
     * left unread, so that the client can ask again with credentials on it.
     */
    private Outcome challenge(Exchange exchange, RequestTarget target) throws IOException {
        Request request = exchange.request();
        request.setDestination(switch (target.form()) {
            case AUTHORITY -> new Destination("tcp", target.host(), target.port(), "");
            case ABSOLUTE -> target.destination();
            default -> selfDestination(target.pathAndQuery());
        });
        exchange.requested();
        boolean keep = hasNoBody(request) && mayCarryOn(request);
        exchange.sendLocal(ctx.access().challenge(), !keep);
        exchange.complete();
        return keep ? Outcome.KEEP : closing(request);
    }

    /** A request read inside a CONNECT tunnel: origin-form targets go to the tunnel's origin. */
    private Outcome serveInTunnel(Exchange exchange, RequestTarget target) throws IOException {
        Request request = exchange.request();
        switch (target.form()) {
            case AUTHORITY -> {
                request.setDestination(new Destination("tcp", target.host(), target.port(), ""));
                exchange.requested();
                return exchange.reject(400, "CONNECT inside a tunnel", FlowError.Kind.CLIENT_PROTOCOL);
            }
            case ABSOLUTE -> request.setDestination(target.destination());
            default -> request.setDestination(new Destination(tunnelOrigin.scheme(), tunnelOrigin.host(),
                    tunnelOrigin.port(), target.pathAndQuery().equals("*") ? "/" : target.pathAndQuery()));
        }
        exchange.requested();
        Destination destination = request.destination().orElseThrow();
        if (ctx.self().isSelf(destination.host(), destination.port())) {
            return new SelfPage(exchange, this).answer();
        }
        return new Forwarder(exchange, this).forward();
    }

    /** wiretap's own address as this client reached it (not a wildcard like 0.0.0.0), for the flow's URL. */
    private Destination selfDestination(String path) {
        String host = socket.getLocalAddress().getHostAddress();
        return new Destination("http", host, ctx.self().port(), path.equals("*") ? "/" : path);
    }

    /**
     * The exchange for a request that began to arrive, with a new flow; a replay session's first one is marked as the
     * replay and completes it when it ends.
     */
    private Exchange newExchange(Instant started, long startNanos, Request request) {
        LiveFlow flow = new LiveFlow(ctx.flowIds().incrementAndGet(), clientAddress, started, startNanos, request);
        flow.setClientTls(tunnelTls);
        ReplayTicket ticket = null;
        if (replay != null && !replayMade) {
            flow.markReplayOf(replay.originalId());
            replayMade = true;
            ticket = replay;
        }
        return new Exchange(ctx, this, flow, ticket);
    }

    /** A head that could not be parsed: answered, shown as a flow, and the connection closed. */
    private Outcome rejectHead(Instant started, long startNanos, int status, String reason, FlowError.Kind kind) throws IOException {
        Request placeholder = new Request("-", "-", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        Exchange exchange = newExchange(started, startNanos, placeholder);
        current = exchange;
        exchange.requested();
        return exchange.reject(status, reason, kind);
    }

    @Override
    public long bytesWritten() {
        return out.bytesWritten();
    }

    @Override
    public void send(LocalResponse response, LiveFlow flow, boolean close) throws IOException {
        response.send(out, flow, close);
    }

    @Override
    public boolean mayCarryOn(Request request) {
        return !listener.isDraining() && !wantsClose(request);
    }

    @Override
    public Outcome closing(Request request) throws IOException {
        return mayHaveUnreadInput(request) ? Outcome.LINGER : Outcome.CLOSE;
    }

    /** Whether the client may have sent bytes wiretap has not read: buffered, waiting in the socket, or a body. */
    private boolean mayHaveUnreadInput(Request request) throws IOException {
        if (rawSocket.isInputShutdown()) {
            return false; // cut off by a read timeout: nothing more will be read from it
        }
        return in.buffered() > 0 || socket.getInputStream().available() > 0 || !hasNoBody(request);
    }

    /** Whether the request's own framing says it has no body (an unread body would otherwise follow on the wire). */
    static boolean hasNoBody(Request request) {
        try {
            return BodyFraming.ofRequest(request) instanceof BodyFraming.None;
        } catch (ProtocolException e) {
            return false;
        }
    }

    /** Whether the client asked to close after this exchange (Connection: close, or HTTP/1.0 without keep-alive). */
    static boolean wantsClose(Request request) {
        var options = dev.wiretap.proxy.http1.ConnectionOptions.of(request.headers());
        return options.close() || (request.version() == HttpVersion.HTTP_1_0 && !options.keepAlive());
    }

    /** Aborts the client connection so that the client cannot mistake a cut-off response for a whole one. */
    @Override
    public void abort() {
        try {
            rawSocket.setSoLinger(true, 0); // on the TCP connection: no TLS close_notify may make a cut look clean
            // The TCP connection first: closing the TLS socket would send close_notify, which tells the client the
            // data ended cleanly (RFC 8446 section 6.1), so that a body delimited by the close would look whole.
            rawSocket.close();
        } catch (IOException ignored) {
            // The socket is already broken; closing it below is all that is left to do.
        }
        closeQuietly();
    }

    /** Closes the connection now if no request is in progress (on stop). */
    void closeIfIdle() {
        ClientHttp2 h2 = http2;
        if (h2 != null) {
            h2.shutdown(); // GOAWAY: streams in flight finish, and the connection closes after them
            return;
        }
        if (idle) {
            closeQuietly();
        }
    }

    /**
     * Closes this connection and the origin connection of the exchange in progress, when a stop's grace is over:
     * the session's thread may be blocked reading from the origin, which closing the client alone would not end.
     */
    void cutOff() {
        closeQuietly();
        ReservedConnection r = reserved;
        if (r != null) {
            r.close(); // the session's thread may be waiting for its handshake
        }
        Exchange exchange = current;
        if (exchange != null) {
            exchange.cutOff();
        }
        ClientHttp2 h2 = http2;
        if (h2 != null) {
            h2.cutOff();
        }
    }

    void closeQuietly() {
        try {
            socket.close();
            rawSocket.close();
        } catch (IOException ignored) {
            // Closing a connection we are done with: nothing useful can be done about a failure here.
        }
    }
}
