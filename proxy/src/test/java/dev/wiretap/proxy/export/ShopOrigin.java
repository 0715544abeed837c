package dev.wiretap.proxy.export;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Encodings;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real origin with a few routes whose answers exercise the exporters (compressed JSON with a cookie, a binary
 * image, a created resource, a download larger than the tests' capture cap, a brotli page), and the exchanges the
 * exporters' tests record through a running wiretap with the JDK's HttpClient.
 */
final class ShopOrigin {

    static final String ITEMS_JSON = "{\"items\":[" + "{\"id\":1,\"name\":\"gr\u00fcn tea\",\"price\":3.50},".repeat(40)
            + "{\"id\":2,\"name\":\"coffee\",\"price\":4.20}]}";
    static final byte[] LOGO = logo();
    static final String ORDER = "{\"item\":1,\"quantity\":2}";
    static final String DOWNLOAD = "0123456789abcdef\n".repeat(300);
    static final String BR_PAGE = "<html><body>" + "brotli ".repeat(200) + "</body></html>";
    /** The capture cap the tests run wiretap with: the download is larger. */
    static final int CAPTURE_CAP = 1024;

    private ShopOrigin() {
    }

    static TestOrigin start() throws IOException {
        return TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = conn.readBody(head);
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                switch (path) {
                    case "/api/items" -> answer(answer, "200 OK", Encodings.gzip(ITEMS_JSON.getBytes(StandardCharsets.UTF_8)),
                            "Content-Type: application/json; charset=utf-8", "Content-Encoding: gzip",
                            "Set-Cookie: session=abc123; Path=/; HttpOnly; Max-Age=3600", "Set-Cookie: theme=dark");
                    case "/logo.png" -> answer(answer, "200 OK", LOGO, "Content-Type: image/png");
                    case "/api/orders" -> answer(answer, "201 Created", body, "Content-Type: application/json",
                            "Location: /api/orders/7");
                    case "/download" -> answer(answer, "200 OK", DOWNLOAD.getBytes(StandardCharsets.US_ASCII), "Content-Type: text/plain");
                    case "/page" -> answer(answer, "200 OK", Encodings.brotli(BR_PAGE.getBytes(StandardCharsets.UTF_8)),
                            "Content-Type: text/html", "Content-Encoding: br");
                    default -> answer(answer, "404 Not Found", "no such page\n".getBytes(StandardCharsets.US_ASCII), "Content-Type: text/plain");
                }
                conn.out().write(answer.toByteArray());
                conn.out().flush();
            }
        });
    }

    private static void answer(ByteArrayOutputStream out, String status, byte[] body, String... fields) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
        for (String field : fields) {
            head.append(field).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }

    /**
     * Sends the standard exchanges through {@code proxy} to {@code origin}, then one to a closed port; returns the
     * flows as the proxy's flow store holds them, in order.
     */
    static List<Flow> record(ProxyUnderTest proxy, TestOrigin origin, int closedPort) throws Exception {
        HttpClient client = proxy.httpClient();
        List<HttpRequest> requests = new ArrayList<>(List.of(
                get(origin.url("/api/items?page=2&q=gr%C3%BCn%20tea&flag")).header("Cookie", "session=old; lang=de")
                        .header("Accept-Encoding", "gzip").build(),
                get(origin.url("/logo.png")).build(),
                HttpRequest.newBuilder(URI.create(origin.url("/api/orders"))).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ORDER)).build(),
                get(origin.url("/download")).build(),
                get(origin.url("/page")).build(),
                get("http://127.0.0.1:" + closedPort + "/nothing-here").build()));
        for (HttpRequest request : requests) {
            client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            proxy.nextFinishedFlow();
        }
        return proxy.wiretap().history().snapshot();
    }

    private static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    }

    private static byte[] logo() {
        byte[] bytes = new byte[300];
        bytes[0] = (byte) 0x89;
        bytes[1] = 'P';
        bytes[2] = 'N';
        bytes[3] = 'G';
        for (int i = 4; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7);
        }
        return bytes;
    }
}
