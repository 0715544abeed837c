package dev.wiretap.proxy.testing;

import dev.wiretap.config.Http2Settings;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.http2.FieldBlock;
import dev.wiretap.proxy.http2.Http2Connection;
import dev.wiretap.proxy.http2.Http2Fields;
import dev.wiretap.proxy.http2.Http2Stream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An HTTPS origin that speaks HTTP/2 only (ALPN h2), on 127.0.0.1 and an ephemeral port, built on wiretap's own frame
 * layer in the server role. By default it echoes: {@code :status 200}, {@code x-origin: h2}, and a body of
 * {@code "<method> <path> h2\n"} and the request body; a request with {@code x-want-trailers} gets
 * {@code grpc-status: 0} as trailers. Each request head (its fields as they flowed) is kept for the test.
 */
public final class H2Origin implements AutoCloseable {

    /** Answers one stream; runs on a thread of its own. */
    public interface Handler {
        void handle(Http2Stream stream, Headers head) throws IOException;
    }

    private final SSLServerSocket server;
    private final Handler handler;
    private final Http2Settings settings;
    private final BlockingQueue<Headers> heads = new LinkedBlockingQueue<>();
    private final List<Http2Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private H2Origin(SSLServerSocket server, Http2Settings settings, Handler handler) {
        this.server = server;
        this.settings = settings;
        this.handler = handler;
        Thread.ofVirtual().name("h2-origin-accept").start(this::acceptLoop);
    }

    public static H2Origin start(SSLContext tls) throws IOException {
        return start(tls, H2Origin::echo);
    }

    public static H2Origin start(SSLContext tls, Handler handler) throws IOException {
        return start(tls, Http2Settings.DEFAULTS, handler);
    }

    /** An origin whose connections advertise {@code settings} (a small SETTINGS_MAX_CONCURRENT_STREAMS, say). */
    public static H2Origin start(SSLContext tls, Http2Settings settings, Handler handler) throws IOException {
        SSLServerSocket s = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"h2"});
        s.setSSLParameters(p);
        return new H2Origin(s, settings, handler);
    }

    /** The default handler: echoes the request line and body. */
    public static void echo(Http2Stream stream, Headers head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((Http2Fields.pseudo(head, ":method") + " " + Http2Fields.pseudo(head, ":path") + " h2\n")
                .getBytes(StandardCharsets.UTF_8));
        stream.body().transferTo(body);
        Headers response = Headers.of("content-type", "text/plain", "x-origin", "h2");
        stream.sendHeaders(Http2Fields.responseHead(200, response, body.size(), null), false);
        boolean trailers = head.contains("x-want-trailers");
        stream.sendData(body.toByteArray(), 0, body.size(), !trailers);
        if (trailers) {
            stream.sendTrailers(Headers.of("grpc-status", "0", "grpc-message", "all good"));
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket socket = (SSLSocket) server.accept();
                accepted.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SSLSocket socket) {
        try {
            socket.startHandshake();
            Http2Connection c = Http2Connection.server(socket, settings, this::accept, "test origin");
            connections.add(c);
            c.serve(60_000);
        } catch (IOException e) {
            // the client went away: this connection is done
        }
    }

    private void accept(Http2Stream stream, FieldBlock head) {
        heads.add(head.fields());
        Thread.ofVirtual().start(() -> {
            try {
                handler.handle(stream, head.fields());
            } catch (IOException e) {
                stream.reset(dev.wiretap.proxy.http2.ErrorCode.INTERNAL_ERROR);
            } finally {
                stream.finish();
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    public String httpsUrl(String path) {
        return "https://127.0.0.1:" + port() + path;
    }

    public String authority() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return accepted.get();
    }

    /** The next request head received, as it flowed. */
    public Headers takeHead() throws InterruptedException {
        Headers h = heads.poll(20, TimeUnit.SECONDS);
        if (h == null) {
            throw new AssertionError("the origin got no request in 20 s");
        }
        return h;
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.forEach(Http2Connection::close);
    }
}
