package dev.wiretap.web;

import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.TestOrigin;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * A small real origin for the web UI's tests, on 127.0.0.1: a page that shows an image and fetches a JSON document,
 * the image (a PNG made here), the JSON (its response fields with a duplicate and lower-case name, to be shown as they
 * flowed), a gzip-compressed JSON document, and 404 for anything else. Keeps connections alive, and keeps the request
 * heads it read ({@link #headFor}).
 */
final class ShopOrigin implements AutoCloseable {

    static final String USER_JSON = "{\"user\":{\"id\":42,\"name\":\"Ada\"},\"roles\":[\"admin\",\"dev\"]}";
    /** Sent gzip-compressed, as most JSON on the web is. */
    static final String ORDERS_JSON = "{\"orders\":[{\"id\":7,\"item\":\"teapot\",\"paid\":true}],\"total\":1}";
    static final String PAGE = """
            <!doctype html><html><head><title>shop</title></head><body>
            <h1>shop</h1><img src="/logo.png" alt="logo">
            <script>fetch('/api/user.json').then(r => r.json()).then(u => document.title = 'shop: ' + u.user.name);</script>
            </body></html>""";

    private final TestOrigin origin;
    private final byte[] png;

    private ShopOrigin() throws IOException {
        this.png = png();
        this.origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                switch (path) {
                    case "/api/user.json" -> answer(conn, "200 OK", "Content-Type: application/json\r\nX-Dup: 1\r\nx-lower-case: yes\r\nX-Dup: 2\r\n",
                            USER_JSON.getBytes(StandardCharsets.UTF_8));
                    case "/api/orders.json" -> answer(conn, "200 OK", "Content-Type: application/json\r\nContent-Encoding: gzip\r\n",
                            CodedOrigin.encode("gzip", ORDERS_JSON.getBytes(StandardCharsets.UTF_8)));
                    case "/logo.png" -> answer(conn, "200 OK", "Content-Type: image/png\r\n", png);
                    case "/page.html" -> answer(conn, "200 OK", "Content-Type: text/html; charset=utf-8\r\n", PAGE.getBytes(StandardCharsets.UTF_8));
                    default -> answer(conn, "404 Not Found", "Content-Type: text/plain\r\n", "no such page\n".getBytes(StandardCharsets.UTF_8));
                }
            }
        });
    }

    static ShopOrigin start() throws IOException {
        return new ShopOrigin();
    }

    private static void answer(TestOrigin.Conn conn, String status, String fields, byte[] body) throws IOException {
        conn.write("HTTP/1.1 " + status + "\r\n" + fields + "Content-Length: " + body.length + "\r\n\r\n");
        conn.out().write(body);
        conn.out().flush();
    }

    /** A 3x2 PNG, made with the JDK so that the test ships no binary. */
    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xff0000);
        image.setRGB(2, 1, 0x0000ff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** The next request head the origin read for {@code path} (others read before it are passed over), within 10 s. */
    String headFor(String path) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String head = origin.pollHead(100);
            if (head != null && dev.wiretap.proxy.testing.Heads.startLine(head).split(" ")[1].equals(path)) {
                return head;
            }
        }
        throw new AssertionError("the origin received no request for " + path + " within 10 s");
    }

    /** Whether a request for {@code path} came (among the heads read so far, and any that come within 200 ms). */
    boolean received(String path) throws InterruptedException {
        String head;
        while ((head = origin.pollHead(200)) != null) {
            if (dev.wiretap.proxy.testing.Heads.startLine(head).split(" ")[1].equals(path)) {
                return true;
            }
        }
        return false;
    }

    byte[] pngBytes() {
        return png.clone();
    }

    String url(String path) {
        return origin.url(path);
    }

    int port() {
        return origin.port();
    }

    @Override
    public void close() throws IOException {
        origin.close();
    }
}
