package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.RawClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The JSON API with the JDK's HttpClient, over real traffic through a real wiretap: the list and its filter (and a
 * filter's fault with its column), paging back, one flow whole (fields as they flowed, bodies decoded in base64 with
 * their kind and as they flowed, the TLS of both sides, timings), the live stream in batches, clearing, and malformed
 * requests answered with 400 and why.
 */
class FlowsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebUnderTest wiretap;
    private ShopOrigin shop;

    @BeforeEach
    void start() throws Exception {
        wiretap = WebUnderTest.start();
        shop = ShopOrigin.start();
    }

    @AfterEach
    void stop() throws Exception {
        wiretap.close();
        shop.close();
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = wiretap.api(path);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(r.body());
    }

    /** Sends traffic and waits until the store holds it all (flows are stored as they end). */
    private void browse(String... paths) throws Exception {
        for (String path : paths) {
            wiretap.getThroughProxy(shop.url(path));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wiretap.wiretap().history().readBack(Long.MAX_VALUE, 100, false, f -> f.isDone()).flows().size() < paths.length) {
            assertTrue(System.nanoTime() < deadline, "flows not stored within 10 s");
            Thread.sleep(10);
        }
    }

    @Test
    void listsTheFlowsNewestFirstAndNarrowsThemWithAFilter() throws Exception {
        browse("/api/user.json", "/page.html", "/missing");
        JsonNode all = get("/api/flows");
        assertEquals(List.of("/missing", "/page.html", "/api/user.json"), paths(all));
        JsonNode first = all.get("flows").get(2);
        assertEquals("GET", first.get("method").asText());
        assertEquals("127.0.0.1", first.get("host").asText());
        assertEquals(shop.port(), first.get("port").asInt());
        assertEquals(200, first.get("status").asInt());
        assertEquals("application/json", first.get("contentType").asText());
        assertEquals(ShopOrigin.USER_JSON.length(), first.get("size").asInt());
        assertEquals("done", first.get("state").asText());
        assertTrue(first.get("durationMs").isNumber());
        assertTrue(all.get("next").isNull());
        assertEquals(3, all.get("held").asInt());

        assertEquals(List.of("/api/user.json"), paths(get("/api/flows?filter=type:json")));
        assertEquals(List.of("/missing", "/page.html"), paths(get("/api/flows?filter=" + enc("!path:/api/ & status:200-499"))));
        assertEquals(List.of("/page.html"), paths(get("/api/flows?filter=" + enc("resbody:\"<h1>shop\""))), "a body term reads bodies");
        JsonNode highlighted = get("/api/flows?highlight=status:4xx");
        assertEquals(List.of(true, false, false), List.of(highlighted.get("flows").get(0).get("highlighted").asBoolean(),
                highlighted.get("flows").get(1).get("highlighted").asBoolean(), highlighted.get("flows").get(2).get("highlighted").asBoolean()));
    }

    @Test
    void pagesBackFromTheNewestWithNext() throws Exception {
        browse("/a", "/b", "/c", "/d", "/e");
        JsonNode page = get("/api/flows?limit=2");
        assertEquals(List.of("/e", "/d"), paths(page));
        JsonNode second = get("/api/flows?limit=2&before=" + page.get("next").asLong());
        assertEquals(List.of("/c", "/b"), paths(second));
        JsonNode third = get("/api/flows?limit=2&before=" + second.get("next").asLong());
        assertEquals(List.of("/a"), paths(third));
        assertTrue(third.get("next").isNull());
    }

    @Test
    void aBadFilterIs400WithTheColumnAndACaretUnderIt() throws Exception {
        HttpResponse<String> r = wiretap.api("/api/flows?filter=" + enc("host:a & (path:/b"));
        assertEquals(400, r.statusCode());
        JsonNode error = JSON.readTree(r.body());
        assertEquals("invalid filter: column 10: the '(' here is never closed", error.get("error").asText());
        assertEquals("filter", error.get("parameter").asText());
        assertEquals(10, error.get("column").asInt());
        assertEquals("         ^", error.get("caret").asText());
        assertEquals(400, wiretap.api("/api/events?highlight=" + enc("hots:x")).statusCode());
    }

    @Test
    void showsOneFlowWholeWithItsFieldsAsTheyFlowedAndItsBodyByKind() throws Exception {
        browse("/api/user.json", "/logo.png");
        long jsonId = get("/api/flows?filter=type:json").get("flows").get(0).get("id").asLong();
        JsonNode flow = get("/api/flows/" + jsonId);
        JsonNode response = flow.get("response");
        assertEquals("HTTP/1.1 200 OK", response.get("startLine").asText());
        assertEquals(JSON.readTree("[[\"Content-Type\",\"application/json\"],[\"X-Dup\",\"1\"],[\"x-lower-case\",\"yes\"],"
                + "[\"X-Dup\",\"2\"],[\"Content-Length\",\"" + ShopOrigin.USER_JSON.length() + "\"]]"), response.get("headers"));
        JsonNode body = response.get("body");
        assertEquals("json", body.get("kind").asText());
        assertEquals(ShopOrigin.USER_JSON, body.get("text").asText());
        assertEquals(ShopOrigin.USER_JSON, new String(Base64.getDecoder().decode(body.get("base64").asText()), StandardCharsets.UTF_8));
        assertTrue(body.get("codings").isNull());
        assertEquals(false, body.get("truncated").asBoolean());
        assertTrue(flow.get("request").get("startLine").asText().startsWith("GET " + shop.url("/api/user.json") + " HTTP/1.1"));
        assertEquals("new", flow.get("upstream").asText());
        assertTrue(flow.get("client").asText().startsWith("127.0.0.1:"));
        assertTrue(flow.get("timings").get("wait").isNumber() && flow.get("timings").get("tls").isNull());
        assertTrue(flow.get("clientTls").isNull() && flow.get("upstreamTls").isNull(), "plain HTTP on both sides");

        long pngId = get("/api/flows?filter=type:png").get("flows").get(0).get("id").asLong();
        JsonNode image = get("/api/flows/" + pngId).get("response").get("body");
        assertEquals("image", image.get("kind").asText());
        assertArrayEquals(shop.pngBytes(), Base64.getDecoder().decode(image.get("base64").asText()));
        assertTrue(image.get("text").isNull());
    }

    @Test
    void showsBodiesDecodedAsTheFilterSawThemWithTheBytesAsTheyFlowedBeside() throws Exception {
        try (dev.wiretap.proxy.testing.TestOrigin coded = CodedOrigin.start()) {
            for (String codings : List.of("br", "gzip,zstd")) {
                wiretap.getThroughProxy(coded.url("/coded/" + codings));
            }
            wiretap.getThroughProxy(coded.url("/plain"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (wiretap.wiretap().history().size() < 3) {
                assertTrue(System.nanoTime() < deadline, "flows not stored within 10 s");
                Thread.sleep(10);
            }
            JsonNode found = get("/api/flows?filter=" + enc("resbody:" + CodedOrigin.NEEDLE));
            assertEquals(List.of("/coded/gzip,zstd", "/coded/br"), paths(found), "the body term reads decoded bodies");

            for (JsonNode row : found.get("flows")) {
                JsonNode body = get("/api/flows/" + row.get("id").asLong()).get("response").get("body");
                String codings = row.get("path").asText().substring("/coded/".length()).replace(",", ", ");
                assertEquals(codings, body.get("codings").asText());
                assertEquals(true, body.get("decoded").asBoolean());
                assertEquals("json", body.get("kind").asText());
                assertEquals(CodedOrigin.JSON, body.get("text").asText(), "what the user sees holds what the filter found");
                assertEquals(CodedOrigin.JSON.length(), body.get("decodedSize").asInt());
                assertArrayEquals(CodedOrigin.encode(codings.replace(" ", ""), CodedOrigin.JSON.getBytes(StandardCharsets.UTF_8)),
                        Base64.getDecoder().decode(body.get("wireBase64").asText()));
                assertEquals(Base64.getDecoder().decode(body.get("wireBase64").asText()).length, body.get("size").asInt());
            }
        }
    }

    @Test
    void showsTheTlsWithTheClientAndTheOriginAndTheTimingsWithTheHandshake(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        dev.wiretap.proxy.testing.TestCa testCa = dev.wiretap.proxy.testing.TestCa.ec("web TLS test CA");
        java.nio.file.Path caFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
        try (WebUnderTest secure = WebUnderTest.start(dev.wiretap.proxy.testing.Interception.on(caFile));
             dev.wiretap.proxy.testing.TestOrigin origin = dev.wiretap.proxy.testing.TestOrigin.startTls(
                     testCa.issue("localhost").serverContext(), dev.wiretap.proxy.testing.EchoHandler.named("tls"))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .proxy(java.net.ProxySelector.of(secure.wiretap().address()))
                    .sslContext(dev.wiretap.proxy.testing.TestCa.clientTrusting(secure.wiretap().certificateAuthority().orElseThrow().certificate()))
                    .build();
            for (String path : List.of("/one", "/two")) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + origin.port() + path))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            JsonNode list;
            while ((list = JSON.readTree(secure.api("/api/flows?filter=" + enc("path:/one | path:/two")).body())).get("flows").size() < 2
                    || !list.get("flows").get(0).get("state").asText().equals("done")) {
                assertTrue(System.nanoTime() < deadline, "flows not stored within 10 s");
                Thread.sleep(10);
            }
            JsonNode first = JSON.readTree(secure.api("/api/flows/" + list.get("flows").get(1).get("id").asLong()).body());
            JsonNode second = JSON.readTree(secure.api("/api/flows/" + list.get("flows").get(0).get("id").asLong()).body());
            assertEquals("TLSv1.3", first.get("clientTls").get("version").asText());
            assertEquals("localhost", first.get("clientTls").get("sni").asText());
            assertTrue(first.get("clientTls").get("cipher").asText().startsWith("TLS_"), first.toString());
            assertEquals("TLSv1.3", first.get("upstreamTls").get("version").asText());
            assertEquals("localhost", first.get("upstreamTls").get("sni").asText());
            assertEquals("new", first.get("upstream").asText());
            assertEquals("reused", second.get("upstream").asText());
            assertEquals(first.get("upstreamTls"), second.get("upstreamTls"));
            JsonNode t = first.get("timings");
            assertTrue(t.get("tls").asDouble() > 0 && t.get("connect").asDouble() >= t.get("tls").asDouble(),
                    "connect holds the TLS handshake, as in HAR: " + t);
            assertTrue(second.get("timings").get("tls").isNull() && second.get("timings").get("connect").isNull(), second.toString());
        }
    }

    @Test
    void aFlowThatIsNotHeldIs404AndANonNumberIs400() throws Exception {
        HttpResponse<String> missing = wiretap.api("/api/flows/99");
        assertEquals(404, missing.statusCode());
        assertTrue(JSON.readTree(missing.body()).get("error").asText().startsWith("flow 99 is not held"));
        HttpResponse<String> bad = wiretap.api("/api/flows/abc");
        assertEquals(400, bad.statusCode());
        assertEquals("'abc' is not a flow number (flows are numbered from 1)", JSON.readTree(bad.body()).get("error").asText());
    }

    @Test
    void malformedApiRequestsAre400WithAJsonErrorSayingWhy() throws Exception {
        assertEquals("limit must be a whole number from 1 to 10000, not '0'", error(wiretap.api("/api/flows?limit=0"), 400));
        assertEquals("before must be a whole number from 0 to 9223372036854775807, not 'x'", error(wiretap.api("/api/flows?before=x"), 400));
        assertEquals("no such API: /api/nope (see docs/web-api.md)", error(wiretap.api("/api/nope"), 404));
        HttpResponse<String> post = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows")))
                .header("Authorization", "Bearer " + wiretap.web().token()).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals("POST is not allowed here; allowed: GET, HEAD, DELETE", error(post, 405));
        try (RawClient raw = new RawClient(wiretap.address())) {
            RawClient.Response r = raw.send("GET /api/flows?filter=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readResponse();
            assertEquals(400, r.status());
            assertEquals("a malformed percent-escape in the query at '%zz'", JSON.readTree(r.bodyText()).get("error").asText());
        }
        try (RawClient raw = new RawClient(wiretap.address())) {
            RawClient.Response r = raw.send("GET /api/flows HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n").readResponse();
            assertEquals(400, r.status());
            assertEquals("whitespace between a field name and its colon", JSON.readTree(r.bodyText()).get("error").asText());
        }
    }

    @Test
    void clearForgetsTheFlowsAndTellsTheStream() throws Exception {
        browse("/a", "/b");
        EventLines events = EventLines.open(wiretap, "");
        events.await("event: hello");
        HttpResponse<String> r = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows")))
                .header("Authorization", "Bearer " + wiretap.web().token()).DELETE());
        assertEquals(200, r.statusCode());
        assertEquals(2, JSON.readTree(r.body()).get("cleared").asInt());
        assertEquals(List.of(), paths(get("/api/flows")));
        events.await("event: cleared");
        events.close();
    }

    @Test
    void theStreamSendsNewFlowsInBatchesThatHonourItsFilter() throws Exception {
        EventLines events = EventLines.open(wiretap, "?filter=" + enc("path:/api/"));
        events.await("event: hello");
        browse("/other", "/api/user.json", "/api/user.json");
        List<Long> listed = new ArrayList<>();
        int messages = 0;
        while (listed.size() < 2) {
            events.await("event: flows");
            JsonNode data = JSON.readTree(events.await("data: ").substring(6));
            messages++;
            for (JsonNode row : data.get("flows")) {
                assertEquals("/api/user.json", row.get("path").asText());
                if (row.get("state").asText().equals("done") && !listed.contains(row.get("id").asLong())) {
                    listed.add(row.get("id").asLong());
                }
            }
        }
        assertTrue(messages <= 4, "batched: " + messages + " messages for two flows (in flight and done)");
        events.close();
    }

    private static String error(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("error").asText();
    }

    private static List<String> paths(JsonNode list) {
        List<String> paths = new ArrayList<>();
        list.get("flows").forEach(f -> paths.add(f.get("path").asText()));
        return paths;
    }

    static String enc(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** The event stream's lines as they arrive, read on a thread of their own. */
    static final class EventLines implements AutoCloseable {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final InputStream body;

        private EventLines(InputStream body) {
            this.body = body;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException e) {
                    // closed by the test
                }
            });
        }

        static EventLines open(WebUnderTest wiretap, String query) throws Exception {
            HttpResponse<InputStream> r = wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/events" + query)))
                    .header("Authorization", "Bearer " + wiretap.web().token()).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, r.statusCode());
            assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            return new EventLines(r.body());
        }

        /** The next line that starts with {@code prefix}, waiting up to 10 s. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no '" + prefix + "' line within 10 s");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        @Override
        public void close() throws Exception {
            body.close();
        }
    }
}
