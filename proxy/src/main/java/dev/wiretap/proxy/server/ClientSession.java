package dev.wiretap.proxy.server;

import dev.wiretap.config.Timeouts;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.http1.BodyFraming;
import dev.wiretap.proxy.http1.HttpInput;
import dev.wiretap.proxy.http1.HttpOutput;
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
 * One client connection, served on its own virtual thread: reads requests one after another (keep-alive,
 * pipelining answered in order), hands each to the {@link Forwarder}, the {@link ConnectTunnel} or wiretap's own
 * page, and closes when the client asks, when the protocol demands it, when the connection has been idle too long,
 * or when wiretap stops.
 *
 * <p>States: idle (waiting for the first byte of a request, bounded by the idle timeout; wiretap may close it at
 * once on stop) and busy (a head must arrive within the header timeout; then the exchange runs to its end).
 */
final class ClientSession implements Runnable {

    private static final System.Logger LOG = System.getLogger(ClientSession.class.getName());

    /** Reading buffer per connection: enough for the heads of most requests, small enough for 2,000 idle clients. */
    private static final int INPUT_BUFFER_BYTES = 4 * 1024;
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
    private dev.wiretap.proxy.flow.TlsHandshake tunnelTls;
    /**
     * The connection to the tunnel's origin opened at the CONNECT, until the tunnel's first exchange has used it or
     * ended; closed by this session's thread, or by a stop's cut-off.
     */
    private volatile ReservedConnection reserved;
    private final InetSocketAddress clientAddress;
    private volatile boolean idle = true;
    /** The origin connection of the exchange in progress, if any; set and cleared by this session's thread. */
    private volatile Socket upstream;
    private ReadWatchdog.Watch watch;
    private HttpInput in;
    private HttpOutput out;
    /** The exchange in progress, so that whatever ends the connection also ends its flow. */
    private Flow current;
    /** Set when wiretap answered an error and closes: the close lingers so the client can read that answer. */
    private boolean lingerOnClose;
    /** {@code out.bytesWritten()} when the current exchange began: what was written since is the flow's. */
    private long outMark;

    /** For a replay: the flow it repeats, and where its new flow goes when it ends; else null. */
    private final ReplayTicket replay;
    /** The replay's own flow (the first one this session reads), once made. */
    private Flow replayFlow;

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
    }

    /** The connection requests are read from now (TLS inside an intercepted tunnel). */
    Socket socket() {
        return socket;
    }

    /**
     * The TLS name for an upstream connection serving {@code destination}: the tunnel client's SNI when the request
     * still goes to the tunnel's origin and the SNI named something else, else null (the destination's host).
     */
    String tlsNameFor(Destination destination) {
        if (tunnelTlsName == null || tunnelOrigin == null || !destination.scheme().equals(tunnelOrigin.scheme())
                || !destination.host().equalsIgnoreCase(tunnelOrigin.host()) || destination.port() != tunnelOrigin.port()) {
            return null;
        }
        return tunnelTlsName;
    }

    ReadWatchdog.Watch watch() {
        return watch;
    }

    /** The connection opened at the CONNECT for this tunnel's first request, if it is still waiting for it; else null. */
    ReservedConnection reserved() {
        return reserved;
    }

    /** Closes the connection reserved for the tunnel's first request unless that request took it. */
    void closeReserved() {
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
        tunnelTls = tunnelSocket instanceof javax.net.ssl.SSLSocket tls ? dev.wiretap.proxy.flow.TlsHandshake.of(tls) : null;
        this.reserved = reserved;
        if (tunnelSocket != socket) {
            out.release();
            socket = tunnelSocket;
            var channel = tunnelSocket instanceof javax.net.ssl.SSLSocket ? null : tunnelSocket.getChannel();
            in = new HttpInput(tunnelSocket.getInputStream(), channel, INPUT_BUFFER_BYTES, watch);
            out = new HttpOutput(tunnelSocket.getOutputStream(), channel, ctx.headBuffers());
            outMark = 0;
        }
    }

    HttpInput in() {
        return in;
    }

    HttpOutput out() {
        return out;
    }

    InetSocketAddress clientAddress() {
        return clientAddress;
    }

    ServerContext context() {
        return ctx;
    }

    /** True while no request is in progress (wiretap may close the connection at once on stop). */
    boolean isIdle() {
        return idle;
    }

    boolean isDraining() {
        return listener.isDraining();
    }

    @Override
    public void run() {
        try {
            socket.setTcpNoDelay(true);
            watch = ctx.watchdog().watch(socket);
            in = new HttpInput(socket.getInputStream(), socket.getChannel(), INPUT_BUFFER_BYTES, watch);
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
            if (lingerOnClose) {
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
        Flow flow = current;
        if (flow != null && !flow.isDone()) {
            flow.fail(new FlowError(kind, message), System.nanoTime());
            publishEnd(flow);
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
            long startNanos = System.nanoTime();
            Instant started = Instant.now();
            in.setDeadline(startNanos + headerNanos);
            long consumedBefore = in.consumedCount();
            Optional<Request> request;
            try {
                request = ctx.requestParser().read(in);
            } catch (ProtocolException e) {
                rejectHead(started, startNanos, e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL);
                return;
            } catch (SocketTimeoutException e) {
                rejectHead(started, startNanos, 408, "the request head did not arrive within "
                        + LocalResponse.duration(timeouts.clientHeader()), FlowError.Kind.CLIENT_TIMEOUT);
                return;
            }
            in.clearDeadline();
            if (request.isEmpty()) {
                return;
            }
            in.setReadTimeout(readNanos);
            outMark = out.bytesWritten();
            Flow flow = newFlow(started, startNanos, request.get());
            flow.addBytesFromClient(in.consumedCount() - consumedBefore);
            boolean keep;
            current = flow;
            boolean inTunnel = tunnelOrigin != null;
            try {
                keep = serve(flow);
            } finally {
                upstream = null;
                if (inTunnel) {
                    closeReserved(); // the tunnel's first exchange is over: used by it or not, it is no one else's
                }
            }
            current = null;
            if (!keep) {
                return;
            }
            out.release();
            in.shrink();
        }
    }

    /** Serves one request; returns whether the connection may carry another. */
    private boolean serve(Flow flow) throws IOException {
        Request request = flow.request();
        RequestTarget target;
        try {
            target = RequestTarget.parse(request.method(), request.target());
            RequestTarget.checkHost(request);
        } catch (ProtocolException e) {
            return reject(flow, e.status(), e.reason(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (tunnelOrigin != null) {
            return serveInTunnel(flow, target);
        }
        switch (target.form()) {
            case ORIGIN, ASTERISK -> {
                request.setDestination(selfDestination(target.pathAndQuery()));
                ctx.events().publish(new FlowEvent.Requested(flow));
                return new SelfPage(this).answer(flow);
            }
            case AUTHORITY -> {
                request.setDestination(new Destination("tcp", target.host(), target.port(), ""));
                ctx.events().publish(new FlowEvent.Requested(flow));
                if (target.host().equalsIgnoreCase(SelfAddress.MAGIC_HOST) && ctx.interceptTls().isPresent()) {
                    return new ConnectTunnel(this).openToWiretap(flow); // https://wiretap/: the page, over TLS
                }
                if (ctx.self().isSelf(target.host(), target.port())) {
                    // Bytes already read after the CONNECT were meant for the tunnel: see ConnectTunnel.hasTunnelBytes.
                    return fail(flow, 508, "a tunnel to " + target.host() + ":" + target.port()
                            + " would lead back to wiretap itself", FlowError.Kind.LOOP, in.buffered() > 0);
                }
                return new ConnectTunnel(this).open(flow);
            }
            default -> {
                Destination destination = target.destination();
                request.setDestination(destination);
                ctx.events().publish(new FlowEvent.Requested(flow));
                if (ctx.self().isSelf(destination.host(), destination.port())) {
                    return new SelfPage(this).answer(flow);
                }
                return new Forwarder(this).forward(flow);
            }
        }
    }

    /** A request read inside a CONNECT tunnel: origin-form targets go to the tunnel's origin. */
    private boolean serveInTunnel(Flow flow, RequestTarget target) throws IOException {
        Request request = flow.request();
        switch (target.form()) {
            case AUTHORITY -> {
                request.setDestination(new Destination("tcp", target.host(), target.port(), ""));
                ctx.events().publish(new FlowEvent.Requested(flow));
                return reject(flow, 400, "CONNECT inside a tunnel", FlowError.Kind.CLIENT_PROTOCOL);
            }
            case ABSOLUTE -> request.setDestination(target.destination());
            default -> request.setDestination(new Destination(tunnelOrigin.scheme(), tunnelOrigin.host(),
                    tunnelOrigin.port(), target.pathAndQuery().equals("*") ? "/" : target.pathAndQuery()));
        }
        ctx.events().publish(new FlowEvent.Requested(flow));
        Destination destination = request.destination().orElseThrow();
        if (ctx.self().isSelf(destination.host(), destination.port())) {
            return new SelfPage(this).answer(flow);
        }
        return new Forwarder(this).forward(flow);
    }

    /** wiretap's own address as this client reached it (not a wildcard like 0.0.0.0), for the flow's URL. */
    private Destination selfDestination(String path) {
        String host = socket.getLocalAddress().getHostAddress();
        return new Destination("http", host, ctx.self().port(), path.equals("*") ? "/" : path);
    }

    /** A new flow for a request that began to arrive; a replay session's first one is marked as the replay. */
    private Flow newFlow(Instant started, long startNanos, Request request) {
        Flow flow = new Flow(ctx.flowIds().incrementAndGet(), clientAddress, started, startNanos, request);
        flow.setClientTls(tunnelTls);
        if (replay != null && replayFlow == null) {
            flow.markReplayOf(replay.originalId());
            replayFlow = flow;
        }
        return flow;
    }

    /** A head that could not be parsed: answered, shown as a flow, and the connection closed. */
    private void rejectHead(Instant started, long startNanos, int status, String reason, FlowError.Kind kind) throws IOException {
        outMark = out.bytesWritten();
        Request placeholder = new Request("-", "-", HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        Flow flow = newFlow(started, startNanos, placeholder);
        ctx.events().publish(new FlowEvent.Requested(flow));
        reject(flow, status, reason, kind);
    }

    /** Answers a client fault with {@code status}, closing the connection. */
    boolean reject(Flow flow, int status, String reason, FlowError.Kind kind) throws IOException {
        return fail(flow, status, reason, kind, true);
    }

    /**
     * Ends {@code flow} with an error response made by wiretap. Returns whether the connection may carry on: only
     * when {@code close} is false (the caller knows no unread request body is left on the wire), wiretap is not
     * stopping and the client did not ask to close.
     */
    boolean fail(Flow flow, int status, String message, FlowError.Kind kind, boolean close) throws IOException {
        boolean keep = !close && !listener.isDraining() && !wantsClose(flow.request());
        lingerOnClose = !keep && mayHaveUnreadInput(flow.request());
        try {
            sendLocal(flow, LocalResponse.error(status, message), !keep);
        } finally {
            flow.fail(new FlowError(kind, message), System.nanoTime());
            publishEnd(flow);
        }
        return keep;
    }

    /** Ends {@code flow} because the client went away; the connection cannot carry on. */
    boolean endClientGone(Flow flow, String message) {
        flow.fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, message), System.nanoTime());
        publishEnd(flow);
        return false;
    }

    /** Sends a response wiretap made, records it on the flow and publishes it. */
    void sendLocal(Flow flow, LocalResponse response, boolean close) throws IOException {
        response.send(out, flow, close);
        ctx.events().publish(new FlowEvent.Responded(flow));
    }

    /**
     * Publishes the end of a flow and tells the addons. Counts what the exchange wrote to the client first, so
     * that every listener sees the final size.
     */
    void publishEnd(Flow flow) {
        flow.addBytesToClient(out.bytesWritten() - outMark);
        outMark = out.bytesWritten();
        for (var addon : ctx.addons()) {
            try {
                addon.onDone(flow);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "addon " + addon.name() + " failed in onDone", e);
            }
        }
        ctx.events().publish(flow.error().isPresent() ? new FlowEvent.Failed(flow) : new FlowEvent.Completed(flow));
        if (flow == replayFlow) {
            replay.result().complete(flow);
        }
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

    /**
     * Ends {@code flow} as an addon asked ({@link Flow#drop}): the client connection is cut without a response and
     * the flow fails as dropped. The connection cannot carry on.
     */
    boolean drop(Flow flow) {
        abort();
        flow.fail(new FlowError(FlowError.Kind.DROPPED, flow.dropReason().orElse("dropped")), System.nanoTime());
        publishEnd(flow);
        return false;
    }

    /** Aborts the client connection so that the client cannot mistake a cut-off response for a whole one. */
    void abort() {
        try {
            rawSocket.setSoLinger(true, 0); // on the TCP connection: no TLS close_notify may make a cut look clean
        } catch (IOException ignored) {
            // The socket is already broken; closing it below is all that is left to do.
        }
        closeQuietly();
    }

    /** Closes the connection now if no request is in progress (on stop). */
    void closeIfIdle() {
        if (idle) {
            closeQuietly();
        }
    }

    /** Names the origin connection the exchange in progress uses, so that {@link #cutOff()} can close it too. */
    void setUpstream(Socket socket) {
        upstream = socket;
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
        Socket up = upstream;
        if (up != null) {
            try {
                up.close();
            } catch (IOException ignored) {
                // Abandoning the exchange: the session's thread sees the closed socket and ends.
            }
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
