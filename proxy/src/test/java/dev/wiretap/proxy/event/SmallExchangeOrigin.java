package dev.wiretap.proxy.event;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The origin of {@link FlowMemoryBenchmark}: on 127.0.0.1, answers every request over keep-alive connections with
 * a 100-byte JSON body and the head a typical API server sends (Server, Date, Content-Type, Content-Length), after
 * reading and dropping the request's body (Content-Length framed). Unlike the tests' {@code TestOrigin} it records
 * nothing, so a million exchanges cost it no memory. One virtual thread per connection, one platform thread accepts.
 */
final class SmallExchangeOrigin implements AutoCloseable {

    static final int BODY_BYTES = 100;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);

    private final ServerSocket server;
    private final AtomicLong answered = new AtomicLong();
    private volatile String date = "";
    private volatile long dateSecond;

    private SmallExchangeOrigin(ServerSocket server) {
        this.server = server;
        Thread.ofPlatform().name("bench-origin-accept").daemon().start(this::acceptLoop);
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port). */
    static SmallExchangeOrigin start(int port) throws IOException {
        return new SmallExchangeOrigin(new ServerSocket(port, 256, InetAddress.getLoopbackAddress()));
    }

    int port() {
        return server.getLocalPort();
    }

    long answered() {
        return answered.get();
    }

    /** A JSON body of exactly {@value #BODY_BYTES} bytes that differs with {@code n}. */
    static byte[] jsonBody(String kind, long n) {
        String start = "{\"" + kind + "\":" + n + ",\"name\":\"item " + n + "\",\"tags\":[\"bench\",\"small\"],\"note\":\"";
        String end = "\"}";
        StringBuilder sb = new StringBuilder(BODY_BYTES).append(start);
        while (sb.length() < BODY_BYTES - end.length()) {
            sb.append('x');
        }
        return sb.append(end).toString().getBytes(StandardCharsets.US_ASCII);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread.ofVirtual().name("bench-origin-conn").start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
             OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192)) {
            byte[] head = new byte[16 * 1024];
            while (true) {
                int headLength = SmallExchangeLoad.readHead(in, head);
                if (headLength < 0) {
                    return;
                }
                long contentLength = SmallExchangeLoad.contentLength(head, headLength);
                in.skipNBytes(Math.max(0, contentLength));
                long n = answered.incrementAndGet();
                byte[] body = jsonBody("id", n);
                out.write(("HTTP/1.1 200 OK\r\nServer: bench-origin/1\r\nDate: " + date()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            }
        } catch (SocketException e) {
            // the proxy closed its pooled connection: the normal end here
        } catch (IOException e) {
            System.err.println("bench origin: " + e);
        }
    }

    private String date() {
        long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond) {
            date = HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
            dateSecond = second;
        }
        return date;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
