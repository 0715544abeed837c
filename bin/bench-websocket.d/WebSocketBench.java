import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * WebSocket echo throughput, direct and through a proxy, in one run (bin/bench-websocket runs it). An echo server on
 * loopback (blocking I/O, a virtual thread per connection, frames sent back as they came) and the JDK's WebSocket
 * client, which sends COUNT binary messages of SIZE bytes back to back while its listener counts what comes back.
 * Throughput is the bytes echoed over the time from the first send to the last byte back.
 *
 *   java WebSocketBench.java SIZE COUNT [PROXY_PORT ...]
 *
 * prints one line per path: "direct" first, then "proxy PORT" for each port, with MB/s and the ratio to direct.
 */
public class WebSocketBench {

    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        int count = Integer.parseInt(args[1]);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread.ofPlatform().daemon().start(() -> accept(server));
            URI uri = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/echo");
            run(uri, HttpClient.newHttpClient(), size, count / 4); // warm-up: the JIT compiles the hot paths
            double direct = run(uri, HttpClient.newHttpClient(), size, count);
            System.out.printf("direct: %.1f MB/s%n", direct);
            for (int i = 2; i < args.length; i++) {
                HttpClient viaProxy = HttpClient.newBuilder()
                        .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[i])))).build();
                run(uri, viaProxy, size, count / 4);
                double proxied = run(uri, viaProxy, size, count);
                System.out.printf("proxy %s: %.1f MB/s, %.2fx direct%n", args[i], proxied, proxied / direct);
            }
        }
    }

    /** Sends {@code count} messages of {@code size} bytes and returns the echo throughput in MB/s. */
    static double run(URI uri, HttpClient http, int size, int count) throws Exception {
        long total = (long) size * count;
        AtomicLong back = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                if (back.addAndGet(data.remaining()) >= total) {
                    done.complete(System.nanoTime());
                }
                webSocket.request(1);
                return null;
            }
        }).join();
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) (i * 31);
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            ws.sendBinary(ByteBuffer.wrap(payload), true).join();
        }
        long end = done.get();
        ws.sendClose(1000, "").join();
        ws.abort();
        return total / 1e6 / ((end - start) / 1e9);
    }

    private static void accept(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> echo(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket) {
            InputStream raw = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = raw.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            String key = head.toString().lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                    .findFirst().orElseThrow().substring(18).strip();
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 256 * 1024);
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 256 * 1024));
            byte[] payload = new byte[0];
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] mask = new byte[4];
                in.readFully(mask);
                if (payload.length < length) {
                    payload = new byte[(int) length];
                }
                in.readFully(payload, 0, (int) length);
                for (int i = 0; i < length; i++) {
                    payload[i] ^= mask[i & 3];
                }
                if ((b0 & 0x0F) == 0x8) {
                    return;
                }
                out.write(b0);
                if (length < 126) {
                    out.write((int) length);
                } else if (length <= 0xFFFF) {
                    out.write(126);
                    out.write((int) length >>> 8);
                    out.write((int) length);
                } else {
                    out.write(127);
                    for (int i = 7; i >= 0; i--) {
                        out.write((int) (length >>> (8 * i)));
                    }
                }
                out.write(payload, 0, (int) length);
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (Exception e) {
            // the client went away: this echo ends
        }
    }
}
