package dev.wiretap.proxy;

import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Clients and origins for the library's tests: a JDK client set up by the facade's own helpers, and small origins. */
final class LibraryClients {

    private LibraryClients() {
    }

    /** A JDK HttpClient (HTTP/1.1) through {@code wiretap}, trusting its CA as a user's would. */
    static HttpClient client(Wiretap wiretap) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(wiretap.proxySelector())
                .sslContext(wiretap.clientSslContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(HttpClient client, String url, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * An origin handler that answers each request with its path, a counter of the requests so far, the request body
     * and two Set-Cookie fields: {@code GET /a -> "a 1 "}; {@code POST /b (x) -> "b 2 x"}.
     */
    static TestOrigin.Handler echoCounting(AtomicInteger counter) {
        return conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                String body = new String(conn.readBody(head), StandardCharsets.UTF_8);
                String path = head.substring(head.indexOf(' ') + 2, head.indexOf(' ', head.indexOf(' ') + 1));
                byte[] answer = (path + " " + counter.incrementAndGet() + " " + body).getBytes(StandardCharsets.UTF_8);
                conn.write("HTTP/1.1 201 Made Up\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
                        + "Content-Length: " + answer.length + "\r\n\r\n");
                conn.out().write(answer);
                conn.out().flush();
            }
        };
    }
}
