package dev.wiretap.web;

import dev.wiretap.proxy.testing.TestOrigin;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * A small real origin for the web UI's tests, on 127.0.0.1: a page that shows an image and fetches a JSON document,
 * the image (a PNG made here), the JSON (its response fields with a duplicate and lower-case name, to be shown as they
 * flowed), and 404 for anything else. Keeps connections alive.
 */
final class ShopOrigin implements AutoCloseable {

    static final String USER_JSON = "{\"user\":{\"id\":42,\"name\":\"Ada\"},\"roles\":[\"admin\",\"dev\"]}";
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
