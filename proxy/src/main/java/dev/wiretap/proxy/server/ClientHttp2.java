package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.io.BodyPace;
import dev.wiretap.proxy.http2.ErrorCode;
import dev.wiretap.proxy.http2.FieldBlock;
import dev.wiretap.proxy.http2.Http2Connection;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A client's HTTP/2 connection inside an intercepted tunnel (ALPN {@code h2}): the session's thread reads its frames
 * ({@link Http2Connection}), and each stream is served on a virtual thread of its own ({@code wiretap-h2-stream-N}) as
 * one {@link Exchange} with the stream as its {@link Downstream}: made, handed to a {@link StreamExchange}, and closed in
 * a finally. The exchanges in flight are known, so that a stop's cut-off reaches their origin connections.
 *
 * <p>Made by the {@link ClientSession} that accepted the tunnel, on its thread.
 */
final class ClientHttp2 {

    private static final System.Logger LOG = System.getLogger(ClientHttp2.class.getName());
    private static final ThreadFactory STREAM_THREADS = Thread.ofVirtual().name("wiretap-h2-stream-", 1).factory();

    private final ServerContext ctx;
    private final ClientSession session;
    private final Listener listener;
    private final Socket socket;
    private final Destination tunnelOrigin;
    private final InetSocketAddress clientAddress;
    /** What the TLS with the client settled, read once: every stream's flow shows it. */
    private final TlsHandshake tls;
    private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
    private volatile Http2Connection connection;

    ClientHttp2(ServerContext ctx, ClientSession session, Listener listener, Socket socket, Destination tunnelOrigin,
                InetSocketAddress clientAddress) {
        this.ctx = ctx;
        this.session = session;
        this.listener = listener;
        this.socket = socket;
        this.tunnelOrigin = tunnelOrigin;
        this.clientAddress = clientAddress;
        this.tls = socket instanceof javax.net.ssl.SSLSocket secure ? TlsHandshake.of(secure) : null;
    }

    ClientSession session() {
        return session;
    }

    boolean isDraining() {
        return listener.isDraining();
    }

    /** Serves the connection until it ends; streams still running end on their own threads. */
    void serve() throws IOException {
        connection = Http2Connection.server(socket, ctx.settings().http2(), this::accept, "client " + clientAddress,
                ctx.watchdog());
        if (listener.isDraining()) {
            connection.shutdown();
        }
        connection.serve((int) Math.min(Integer.MAX_VALUE, ctx.settings().timeouts().clientIdle().toMillis()));
    }

    private void accept(Http2Stream stream, FieldBlock head) {
        STREAM_THREADS.newThread(() -> serveStream(stream, head, System.nanoTime(), Instant.now())).start();
    }

    private void serveStream(Http2Stream stream, FieldBlock head, long startNanos, Instant started) {
        Request request = requestOf(head);
        LiveFlow flow = new LiveFlow(ctx.flowIds().incrementAndGet(), clientAddress, started, startNanos, request);
        flow.addBytesFromClient(head.wireBytes());
        flow.setClientTls(tls);
        StreamDownstream client = new StreamDownstream(this, stream);
        Exchange exchange = new Exchange(ctx, client, flow, null);
        live.add(exchange);
        stream.onReset(exchange::cutOff); // a client's cancel reaches the origin at once
        try {
            new StreamExchange(exchange, client, tunnelOrigin, head).serve();
        } catch (BodyPace.TooSlow e) {
            tooSlow(exchange, e);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "stream " + stream.id() + " of " + clientAddress + ": " + e);
            exchange.failUnlessEnded(FlowError.Kind.CLIENT_CLOSED, stream.isReset()
                    ? "the client cancelled the stream (" + e.getMessage() + ")" : "client stream failed: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "wiretap bug while serving stream " + stream.id() + " of " + clientAddress, e);
            exchange.failUnlessEnded(FlowError.Kind.INTERNAL, "wiretap failed: " + e);
            stream.reset(ErrorCode.INTERNAL_ERROR);
        } finally {
            exchange.closeUpstream();
            session.closeReserved(); // the tunnel's first exchange is over: used by it or not, it is no one else's
            live.remove(exchange);
            stream.finish();
        }
    }

    /**
     * A stream whose body fell behind its pace while wiretap read it itself (held for an addon, or answered by a rule):
     * 408 on the stream while no response has begun, and the flow ends with that.
     */
    private static void tooSlow(Exchange exchange, BodyPace.TooSlow e) {
        try {
            if (!exchange.isEnded() && exchange.flow().response().isEmpty()) {
                exchange.failWith(408, e.getMessage(), FlowError.Kind.CLIENT_TIMEOUT, true);
                return;
            }
        } catch (IOException gone) {
            // The stream could not take the answer: the flow ends below all the same.
        }
        exchange.failUnlessEnded(FlowError.Kind.CLIENT_TIMEOUT, e.getMessage());
    }

    /** The request as it flowed: its target is {@code :path} ({@code :authority} for CONNECT), its head the fields. */
    private static Request requestOf(FieldBlock head) {
        String method = Http2Fields.pseudo(head.fields(), ":method");
        String path = Http2Fields.pseudo(head.fields(), ":path");
        String target = path != null ? path : String.valueOf(Http2Fields.pseudo(head.fields(), ":authority"));
        return new Request(method == null ? "-" : method, target, HttpVersion.HTTP_2, head.fields(), head.text());
    }

    /** True while no stream is being served (a stop may close the connection at once). */
    boolean isIdle() {
        Http2Connection c = connection;
        return c == null || c.openStreamCount() == 0;
    }

    /** On stop: GOAWAY; streams in flight finish, new ones are refused, and the connection then closes. */
    void shutdown() {
        Http2Connection c = connection;
        if (c != null) {
            c.shutdown();
        }
    }

    /** When a stop's grace is over: the connection closes and every exchange's origin connection with it. */
    void cutOff() {
        Http2Connection c = connection;
        if (c != null) {
            c.close();
        }
        live.forEach(Exchange::cutOff);
    }
}
