package dev.wiretap.proxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A real origin server on 127.0.0.1 for tests, scripted per connection: each accepted connection runs
 * {@link Handler#handle} on its own virtual thread with the raw socket, so a test can answer well, badly, slowly
 * or not at all. {@link #exchanges()} records every request head the origin read through {@link Conn#readHead()}.
 */
public final class TestOrigin implements AutoCloseable {

    /** What the origin does with one connection. */
    @FunctionalInterface
    public interface Handler {
        void handle(Conn conn) throws Exception;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();
    /** Whether each connection's TLS handshake runs in the accept loop, before the next connection is accepted. */
    private final boolean handshakeInTurn;
    private final Thread acceptor;

    private TestOrigin(ServerSocket server, Handler handler) {
        this(server, handler, false);
    }

    private TestOrigin(ServerSocket server, Handler handler, boolean handshakeInTurn) {
        this.server = server;
        this.handler = handler;
        this.handshakeInTurn = handshakeInTurn;
        this.acceptor = Thread.ofVirtual().name("test-origin").start(this::acceptLoop);
    }

    public static TestOrigin start(Handler handler) throws IOException {
        return new TestOrigin(new ServerSocket(0, 512, InetAddress.getLoopbackAddress()), handler);
    }

    /**
     * An HTTPS origin: each connection's TLS handshake (with the certificate {@code tls} presents) runs on the
     * connection's own thread at its first read, so a client that never completes one holds up no one else.
     */
    public static TestOrigin startTls(SSLContext tls, Handler handler) throws IOException {
        return new TestOrigin(tls.getServerSocketFactory().createServerSocket(0, 512, InetAddress.getLoopbackAddress()), handler);
    }

    /**
     * An HTTPS origin that, as some single-threaded servers do, runs each connection's TLS handshake in its accept
     * loop and accepts the next connection only when that handshake is over: a connection that was opened and never
     * started its handshake holds up every client after it. {@code handler} then serves the connection on a thread of
     * its own.
     */
    public static TestOrigin startTlsHandshakingInTurn(SSLContext tls, Handler handler) throws IOException {
        return new TestOrigin(tls.getServerSocketFactory().createServerSocket(0, 512, InetAddress.getLoopbackAddress()),
                handler, true);
    }

    /** As {@link #fixed(String)}, over TLS. */
    public static TestOrigin fixedTls(SSLContext tls, String body) throws IOException {
        return startTls(tls, fixedHandler(body));
    }

    /**
     * An origin that answers every request on a kept-alive connection with 200 and {@code body}
     * (Content-Length framed), reading and discarding any Content-Length request body.
     */
    public static TestOrigin fixed(String body) throws IOException {
        return start(fixedHandler(body));
    }

    private static Handler fixedHandler(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n");
                conn.out().write(bytes);
                conn.out().flush();
            }
        };
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String authority() {
        return "127.0.0.1:" + port();
    }

    public String url(String path) {
        return "http://" + authority() + path;
    }

    public String httpsUrl(String path) {
        return "https://" + authority() + path;
    }

    /** Connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    /** Connections that have ended so far: closed by the client (or the handler done with them), or failed. */
    public int endedCount() {
        return ended.get();
    }

    /** The next request head the origin read (in arrival order), waiting up to 5 s. */
    public String takeHead() throws InterruptedException {
        String head = heads.poll(5, TimeUnit.SECONDS);
        if (head == null) {
            throw new AssertionError("the origin received no request within 5 s");
        }
        return head;
    }

    /** A head if one arrived within {@code millis}, else null. */
    public String pollHead(long millis) throws InterruptedException {
        return heads.poll(millis, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                connections.incrementAndGet();
                sockets.add(s);
                if (handshakeInTurn && !handshake((javax.net.ssl.SSLSocket) s)) {
                    continue;
                }
                Thread.ofVirtual().name("test-origin-conn").start(() -> {
                    try (s) {
                        handler.handle(new Conn(s, heads));
                    } catch (Exception e) {
                        // A scripted origin often ends a connection abruptly on purpose; nothing to report.
                    } finally {
                        ended.incrementAndGet();
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Runs the server side of {@code s}'s handshake; false (and the connection closed) if it failed. */
    private boolean handshake(javax.net.ssl.SSLSocket s) {
        try {
            s.startHandshake();
            return true;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // The connection failed already; closing it is all that is left.
            }
            ended.incrementAndGet();
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** One origin-side connection, with helpers to read heads and bodies and to write raw bytes. */
    public static final class Conn {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final BlockingQueue<String> heads;

        Conn(Socket socket, BlockingQueue<String> heads) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.heads = heads;
        }

        public Socket socket() {
            return socket;
        }

        public InputStream in() {
            return in;
        }

        public OutputStream out() {
            return out;
        }

        /**
         * Reads one request head up to and including the empty line, byte by byte (so nothing after it is
         * consumed), records it, and returns it as ISO-8859-1 text; null if the connection ended first.
         */
        public String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            heads.add(text);
            return text;
        }

        /** Reads the Content-Length body announced in {@code head} (none if absent). */
        public byte[] readBody(String head) throws IOException {
            long length = Heads.contentLength(head);
            return length <= 0 ? new byte[0] : in.readNBytes((int) length);
        }

        public void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }
}
