package dev.wiretap.proxy.event;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load of {@link FlowMemoryBenchmark}: a number of small exchanges through a proxy, each a POST with a 100-byte
 * JSON body in absolute form (as any client sends to an HTTP proxy) answered by {@link SmallExchangeOrigin} with
 * 100 bytes, spread over a few keep-alive connections, each on a platform thread of its own that sends a request,
 * reads the whole response and checks it, then sends the next. Counts what came back right; a connection that
 * fails is opened again, so a hiccup shows as a failure rather than a stalled run.
 */
final class SmallExchangeLoad {

    /** What one run did. */
    record Result(long ok, long failed, double seconds) {
        double perSecond() {
            return seconds > 0 ? ok / seconds : 0;
        }
    }

    private final InetSocketAddress proxy;
    private final int originPort;
    private final AtomicLong next;

    /** Exchanges are numbered from {@code firstIndex}, so paths and bodies differ across runs as well. */
    SmallExchangeLoad(InetSocketAddress proxy, int originPort, long firstIndex) {
        this.proxy = proxy;
        this.originPort = originPort;
        this.next = new AtomicLong(firstIndex);
    }

    Result run(long exchanges, int clients) throws InterruptedException {
        long end = next.get() + exchanges;
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofPlatform().name("bench-client-" + c).start(() -> drive(end, ok, failed)));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Result(ok.get(), failed.get(), (System.nanoTime() - start) / 1e9);
    }

    private void drive(long end, AtomicLong ok, AtomicLong failed) {
        byte[] head = new byte[16 * 1024];
        byte[] body = new byte[64 * 1024];
        long i = next.getAndIncrement();
        while (i < end) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                socket.connect(proxy, 5_000);
                InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                OutputStream out = socket.getOutputStream();
                for (; i < end; i = next.getAndIncrement()) {
                    out.write(request(i));
                    int headLength = readHead(in, head);
                    if (headLength < 0) {
                        throw new EOFException("the proxy closed the connection before answering");
                    }
                    long length = contentLength(head, headLength);
                    if (length < 0 || length > body.length) {
                        throw new IOException("no usable Content-Length in " + new String(head, 0, headLength, StandardCharsets.ISO_8859_1));
                    }
                    in.readNBytes(body, 0, (int) length);
                    if (startsWith(head, "HTTP/1.1 200 ") && length == SmallExchangeOrigin.BODY_BYTES) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                i = next.getAndIncrement();
            }
        }
    }

    private byte[] request(long i) {
        byte[] body = SmallExchangeOrigin.jsonBody("order", i);
        String head = "POST http://127.0.0.1:" + originPort + "/api/items/" + i + "?lang=en HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + originPort + "\r\n"
                + "User-Agent: wiretap-bench-memory/1\r\n"
                + "Accept: application/json\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Reads a message head up to and including its blank line into {@code buf}; its length, or -1 at a clean end. */
    static int readHead(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (n == 0) {
                    return -1;
                }
                throw new EOFException("the connection ended inside a head");
            }
            if (n == buf.length) {
                throw new IOException("head longer than " + buf.length + " bytes");
            }
            buf[n++] = (byte) b;
            if (n >= 4 && b == '\n' && buf[n - 2] == '\r' && buf[n - 3] == '\n' && buf[n - 4] == '\r') {
                return n;
            }
        }
    }

    /** The Content-Length of a head, or -1 without one. */
    static long contentLength(byte[] head, int length) {
        String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] head, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (head[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
