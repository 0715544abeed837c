package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Map local through a running wiretap: local files answer in the origin's place, which is never contacted (the hosts
 * here do not exist).
 */
class MapLocalTest {

    @TempDir
    Path dir;

    private static HttpResponse<byte[]> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void answersWithTheNamedFileAndItsGuessedType() throws Exception {
        Files.writeString(dir.resolve("user.json"), "{\"name\":\"local\"}");
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: local user
                         match: host:api.example.invalid path:/user
                         map_local: user.json
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<byte[]> response = get(client, "http://api.example.invalid/user?id=3");

            assertEquals(200, response.statusCode());
            assertEquals("{\"name\":\"local\"}", new String(response.body(), StandardCharsets.UTF_8));
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, flow.state(), flow.toString());
            assertEquals(List.of("local user"), flow.appliedRules());
            assertEquals("{\"name\":\"local\"}", flow.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void findsFilesUnderADirectoryByPathAndAnswers404ForMissingOnes() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/css"));
        Files.writeString(site.resolve("app.css"), "body{}");
        Files.writeString(dir.resolve("site/index.html"), "<h1>local</h1>");
        byte[] image = new byte[200_000];
        new Random(3).nextBytes(image);
        Files.write(dir.resolve("site/logo.png"), image);
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:cdn.example.invalid
                         map_local: {path: site, strip: /static}
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<byte[]> css = get(client, "http://cdn.example.invalid/static/css/app.css?v=2");
            HttpResponse<byte[]> index = get(client, "http://cdn.example.invalid/static/");
            HttpResponse<byte[]> logo = get(client, "http://cdn.example.invalid/static/logo.png");
            HttpResponse<byte[]> missing = get(client, "http://cdn.example.invalid/static/gone.js");
            HttpResponse<byte[]> outside = get(client, "http://cdn.example.invalid/static/%2e%2e/config.yaml");

            assertEquals("body{}", new String(css.body(), StandardCharsets.UTF_8));
            assertEquals("text/css; charset=utf-8", css.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("<h1>local</h1>", new String(index.body(), StandardCharsets.UTF_8));
            assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElseThrow());
            assertArrayEquals(image, logo.body());
            assertEquals("image/png", logo.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(404, missing.statusCode());
            assertTrue(new String(missing.body(), StandardCharsets.UTF_8).contains("no local file for /static/gone.js"));
            assertEquals(404, outside.statusCode(), "a path left the mapped directory");
        }
    }

    @Test
    void refusesAFileWhoseRealPathLeavesTheDirectoryAndNamesNoAbsolutePath() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/inner"));
        Files.writeString(site.resolve("real.txt"), "inside");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("key.pem"), "SECRET");
        Files.createSymbolicLink(dir.resolve("site/key.pem"), secrets.resolve("key.pem"));
        Files.createSymbolicLink(dir.resolve("site/all"), secrets);
        Files.createSymbolicLink(dir.resolve("site/alias.txt"), site.resolve("real.txt")); // inside: served
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:cdn.example.invalid
                         map_local: {path: ./site, strip: /static}
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<byte[]> linkedFile = get(client, "http://cdn.example.invalid/static/key.pem");
            HttpResponse<byte[]> linkedDir = get(client, "http://cdn.example.invalid/static/all/key.pem");
            HttpResponse<byte[]> alias = get(client, "http://cdn.example.invalid/static/alias.txt");
            HttpResponse<byte[]> missing = get(client, "http://cdn.example.invalid/static/gone.js");

            for (HttpResponse<byte[]> refused : List.of(linkedFile, linkedDir)) {
                String body = new String(refused.body(), StandardCharsets.UTF_8);
                assertEquals(403, refused.statusCode(), body);
                assertFalse(body.contains("SECRET"), body);
                assertTrue(body.contains("leads outside site"), body);
                assertFalse(body.contains(dir.toString()), "an absolute path in the answer: " + body);
            }
            assertEquals("inside", new String(alias.body(), StandardCharsets.UTF_8));
            String notFound = new String(missing.body(), StandardCharsets.UTF_8);
            assertEquals("wiretap: no local file for /static/gone.js under site\n", notFound);
        }
    }

    @Test
    void absorbsARequestBodySoTheConnectionCarriesTheNextRequest() throws Exception {
        Files.writeString(dir.resolve("ok.txt"), "stored");
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:api.example.invalid
                         map_local: ok.txt
                     """));
             RawClient client = proxy.rawClient()) {
            client.send("POST http://api.example.invalid/upload HTTP/1.1\r\nHost: api.example.invalid\r\n"
                    + "Content-Length: 11\r\n\r\nhello world");
            RawClient.Response first = client.readResponse();
            client.send("POST http://api.example.invalid/upload HTTP/1.1\r\nHost: api.example.invalid\r\n"
                    + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
            assertEquals("HTTP/1.1 100 Continue", Heads.startLine(client.readHead()));
            client.send("5\r\nhello\r\n0\r\n\r\n");
            RawClient.Response second = client.readResponse();
            client.send("GET http://api.example.invalid/again HTTP/1.1\r\nHost: api.example.invalid\r\n\r\n");
            RawClient.Response third = client.readResponse();

            assertEquals(List.of(200, 200, 200), List.of(first.status(), second.status(), third.status()));
            assertEquals("stored", third.bodyText());
            assertNull(first.header("Connection"));
            assertEquals("hello world", proxy.nextFinishedFlow().request().body().text(StandardCharsets.UTF_8));
            assertEquals("hello", proxy.nextFinishedFlow().request().body().text(StandardCharsets.UTF_8));
            assertEquals(1, proxy.wiretap().stats().clientAccepted(), "the client had to reconnect");
        }
    }

    @Test
    void answersAHeadWithTheFilesFieldsAndNoBody() throws Exception {
        Files.writeString(dir.resolve("page.html"), "<p>twenty-two bytes</p>");
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:www.example.invalid
                         map_local: page.html
                     """));
             RawClient client = proxy.rawClient()) {
            client.send("HEAD http://www.example.invalid/ HTTP/1.1\r\nHost: www.example.invalid\r\n\r\n");
            RawClient.Response head = client.readResponse(true);
            client.send("GET http://www.example.invalid/ HTTP/1.1\r\nHost: www.example.invalid\r\n\r\n");
            RawClient.Response get = client.readResponse();

            assertEquals("23", head.header("Content-Length"));
            assertEquals("<p>twenty-two bytes</p>", get.bodyText(), "a body after the HEAD's answer shifted the next one");
        }
    }

    @Test
    void responseRulesChangeALocalAnswerToo() throws Exception {
        Files.writeString(dir.resolve("data.json"), "[]");
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: local data
                         match: host:api.example.invalid
                         map_local: data.json
                         response: {set_headers: {Access-Control-Allow-Origin: "*"}}
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<byte[]> response = get(client, "http://api.example.invalid/data");

            assertEquals("*", response.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals("[]", new String(response.body(), StandardCharsets.UTF_8));
            assertEquals(List.of("local data"), proxy.nextFinishedFlow().appliedRules());
        }
    }
}
