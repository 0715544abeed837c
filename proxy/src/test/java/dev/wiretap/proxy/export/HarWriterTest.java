package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HAR files of real exchanges through a running wiretap, read back with Jackson and held to the HAR 1.2 format. */
class HarWriterTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TestOrigin origin;
    private static ProxyUnderTest proxy;
    private static List<Flow> flows;
    private static int closedPort;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordExchanges() throws Exception {
        origin = ShopOrigin.start();
        proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(ShopOrigin.CAPTURE_CAP)));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        flows = ShopOrigin.record(proxy, origin, closedPort);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void writesAValidHar12FileWithAnEntryPerExchangeInOrder() throws Exception {
        Path file = dir.resolve("session.har");

        HarWriter.Summary summary = HarWriter.write(file, flows, Filter.ALL, "");

        JsonNode har = MAPPER.readTree(file.toFile());
        HarSpec.check(har);
        assertEquals(new HarWriter.Summary(6, 0, 0, 0, 0), summary);
        assertEquals("wiretap", har.at("/log/creator/name").asText());
        assertEquals(Wiretap.version(), har.at("/log/creator/version").asText());
        List<String> urls = new ArrayList<>();
        har.at("/log/entries").forEach(e -> urls.add(e.at("/request/method").asText() + " " + e.at("/request/url").asText()));
        assertEquals(List.of("GET " + origin.url("/api/items?page=2&q=gr%C3%BCn%20tea&flag"), "GET " + origin.url("/logo.png"),
                "POST " + origin.url("/api/orders"), "GET " + origin.url("/download"), "GET " + origin.url("/page"),
                "GET http://127.0.0.1:" + closedPort + "/nothing-here"), urls);
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }

    @Test
    void writesTheRequestWithFieldsInWireOrderQueryAndCookies() throws Exception {
        JsonNode request = entries(Filter.ALL).get(0).get("request");
        Flow flow = flows.get(0);

        assertEquals("HTTP/1.1", request.get("httpVersion").asText());
        List<String> headers = new ArrayList<>();
        request.get("headers").forEach(h -> headers.add(h.get("name").asText() + ": " + h.get("value").asText()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < flow.request().headers().size(); i++) {
            expected.add(flow.request().headers().name(i) + ": " + flow.request().headers().value(i));
        }
        assertEquals(expected, headers);
        assertTrue(headers.contains("Cookie: session=old; lang=de"), headers.toString());
        assertEquals(MAPPER.readTree("[{\"name\":\"page\",\"value\":\"2\"},{\"name\":\"q\",\"value\":\"gr\u00fcn tea\"},"
                + "{\"name\":\"flag\",\"value\":\"\"}]"), request.get("queryString"));
        assertEquals(MAPPER.readTree("[{\"name\":\"session\",\"value\":\"old\"},{\"name\":\"lang\",\"value\":\"de\"}]"),
                request.get("cookies"));
        assertEquals(flow.request().wireHead().length, request.get("headersSize").asInt());
        assertEquals(0, request.get("bodySize").asInt());
        assertFalse(request.has("postData"));
    }

    @Test
    void writesGzippedJsonDecodedWithItsSizesAndSetCookies() throws Exception {
        JsonNode entry = entries(Filter.ALL).get(0);
        JsonNode response = entry.get("response");
        JsonNode content = response.get("content");
        int jsonBytes = ShopOrigin.ITEMS_JSON.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

        assertEquals(200, response.get("status").asInt());
        assertEquals("OK", response.get("statusText").asText());
        assertEquals(ShopOrigin.ITEMS_JSON, content.get("text").asText());
        assertFalse(content.has("encoding"));
        assertEquals("application/json; charset=utf-8", content.get("mimeType").asText());
        assertEquals(jsonBytes, content.get("size").asInt());
        int gzipped = response.get("bodySize").asInt();
        assertTrue(gzipped > 0 && gzipped < jsonBytes, "bodySize is the encoded size: " + gzipped);
        assertEquals(jsonBytes - gzipped, content.get("compression").asInt());
        JsonNode session = response.get("cookies").get(0);
        assertEquals("session", session.get("name").asText());
        assertEquals("abc123", session.get("value").asText());
        assertEquals("/", session.get("path").asText());
        assertTrue(session.get("httpOnly").asBoolean());
        Instant expires = Instant.parse(session.get("expires").asText());
        assertEquals(flows.get(0).started().plusSeconds(3600).getEpochSecond(), expires.getEpochSecond(), 1);
        assertEquals("theme", response.get("cookies").get(1).get("name").asText());
        assertEquals(flows.get(0).response().orElseThrow().wireHead().length, response.get("headersSize").asInt());
        assertEquals("127.0.0.1", entry.get("serverIPAddress").asText());
        assertEquals(Integer.toString(flows.get(0).client().getPort()), entry.get("connection").asText());
    }

    @Test
    void writesBinaryContentInBase64() throws Exception {
        JsonNode content = entries(Filter.ALL).get(1).at("/response/content");

        assertEquals("base64", content.get("encoding").asText());
        assertArrayEquals(ShopOrigin.LOGO, Base64.getDecoder().decode(content.get("text").asText()));
        assertEquals(ShopOrigin.LOGO.length, content.get("size").asInt());
        assertEquals("image/png", content.get("mimeType").asText());
    }

    @Test
    void writesPostedDataAndTheRedirectLocation() throws Exception {
        JsonNode entry = entries(Filter.ALL).get(2);

        assertEquals(MAPPER.readTree("{\"mimeType\":\"application/json\",\"text\":" + MAPPER.writeValueAsString(ShopOrigin.ORDER) + "}"),
                entry.at("/request/postData"));
        assertEquals(ShopOrigin.ORDER.length(), entry.at("/request/bodySize").asInt());
        assertEquals(201, entry.at("/response/status").asInt());
        assertEquals("/api/orders/7", entry.at("/response/redirectURL").asText());
    }

    @Test
    void notesABodyTruncatedAtTheCaptureCap() throws Exception {
        JsonNode entry = entries(Filter.ALL).get(3);
        String note = "truncated at capture cap: " + ShopOrigin.CAPTURE_CAP + " of " + ShopOrigin.DOWNLOAD.length() + " bytes captured";

        assertEquals(ShopOrigin.DOWNLOAD.substring(0, ShopOrigin.CAPTURE_CAP), entry.at("/response/content/text").asText());
        assertEquals(ShopOrigin.DOWNLOAD.length(), entry.at("/response/content/size").asInt());
        assertEquals(ShopOrigin.DOWNLOAD.length(), entry.at("/response/bodySize").asInt());
        assertEquals(note, entry.at("/response/content/comment").asText());
        assertEquals("response body: " + note, entry.get("comment").asText());
    }

    @Test
    void decodesBrotli() throws Exception {
        JsonNode content = entries(Filter.ALL).get(4).at("/response/content");

        assertEquals(ShopOrigin.BR_PAGE, content.get("text").asText());
        assertEquals(ShopOrigin.BR_PAGE.length(), content.get("size").asInt());
    }

    @Test
    void writesAFailedExchangeWithWiretapsAnswerAndTheError() throws Exception {
        JsonNode entry = entries(Filter.ALL).get(5);

        assertEquals(502, entry.at("/response/status").asInt());
        assertEquals("failed: connection refused by 127.0.0.1:" + closedPort, entry.get("comment").asText());
        assertEquals(-1, entry.at("/timings/ssl").asInt());
    }

    @Test
    void writesTimingsThatAddUpToTheFlowsDuration() throws Exception {
        List<JsonNode> entries = entries(Filter.ALL);

        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            double durationMillis = flows.get(i).durationNanos() / 1e6;
            assertEquals(durationMillis, entry.get("time").asDouble(), 0.002, "entry " + i);
        }
        JsonNode first = entries.get(0).get("timings");
        assertTrue(first.get("dns").asDouble() >= 0 && first.get("connect").asDouble() >= 0, "a new connection: " + first);
    }

    @Test
    void writesTheTlsHandshakeOfTheFirstHttpsEntryOnAConnection(@TempDir Path caDir) throws Exception {
        TestCa testCa = TestCa.ec("HAR test CA");
        Path testCaFile = testCa.writeCertificate(caDir.resolve("test-ca.pem"));
        List<Flow> https = new ArrayList<>();
        try (TestOrigin tlsOrigin = TestOrigin.fixedTls(testCa.issue("127.0.0.1").serverContext(), "secret");
             ProxyUnderTest intercepting = ProxyUnderTest.start(Interception.on(testCaFile));
             HttpClient client = Interception.httpsClient(intercepting, Interception.trustingWiretap(intercepting))) {
            for (int i = 0; i < 2; i++) {
                client.send(HttpRequest.newBuilder(URI.create(tlsOrigin.httpsUrl("/" + i))).build(), HttpResponse.BodyHandlers.ofString());
            }
            intercepting.nextFinishedFlow(); // the CONNECT, which a HAR leaves out
            https.add(intercepting.nextFinishedFlow());
            https.add(intercepting.nextFinishedFlow());
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        HarWriter.write(out, https, Filter.ALL, "");
        JsonNode har = MAPPER.readTree(out.toByteArray());
        HarSpec.check(har);

        JsonNode first = har.at("/log/entries/0/timings");
        assertTrue(first.get("ssl").asDouble() > 0, "no handshake: " + first);
        assertTrue(first.get("connect").asDouble() >= first.get("ssl").asDouble(), "ssl is part of connect: " + first);
        assertEquals(https.get(0).timings().connectWithSslNanos() / 1e6, first.get("connect").asDouble(), 0.001);
        JsonNode second = har.at("/log/entries/1/timings");
        assertEquals(List.of(-1, -1, -1), List.of(second.get("dns").asInt(), second.get("connect").asInt(), second.get("ssl").asInt()),
                "the second request reused the connection: " + second);
    }

    @Test
    void writesAWebSocketsMessagesAsChromeDoes() throws Exception {
        List<Flow> sockets = new ArrayList<>();
        byte[] binary = {0, 1, 2, (byte) 0xFF};
        try (TestOrigin echo = TestOrigin.start(new dev.wiretap.proxy.testing.WebSocketEcho());
             ProxyUnderTest intercepting = ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(true)));
             dev.wiretap.proxy.testing.WebSocketClient ws = dev.wiretap.proxy.testing.WebSocketClient.open(
                     HttpClient.newBuilder().proxy(java.net.ProxySelector.of(intercepting.address())).build(),
                     URI.create("ws://" + echo.authority() + "/har"))) {
            ws.socket().sendText("hello ✓", true).join();
            assertEquals("hello ✓", ws.next());
            ws.socket().sendBinary(java.nio.ByteBuffer.wrap(binary), true).join();
            assertArrayEquals(binary, (byte[]) ws.next());
            ws.socket().sendClose(1000, "").join();
            ws.next();
            ws.close();
            Flow flow;
            do {
                flow = intercepting.nextFinishedFlow(); // the CONNECT the JDK's client opens first is skipped
            } while (flow.request().isMethod("CONNECT"));
            sockets.add(flow);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        HarWriter.write(out, sockets, Filter.ALL, "");
        JsonNode har = MAPPER.readTree(out.toByteArray());
        HarSpec.check(har);

        JsonNode entry = har.at("/log/entries/0");
        assertEquals("websocket", entry.get("_resourceType").asText());
        JsonNode messages = entry.get("_webSocketMessages");
        assertEquals(4, messages.size(), messages.toString()); // the two closes are control frames, as Chrome leaves out
        assertEquals(List.of("send", "receive", "send", "receive"), messages.findValuesAsText("type"));
        assertEquals(List.of("1", "1", "2", "2"), messages.findValuesAsText("opcode"));
        assertEquals("hello ✓", messages.get(1).get("data").asText());
        assertArrayEquals(binary, Base64.getDecoder().decode(messages.get(2).get("data").asText()));
        Instant sent = sockets.get(0).webSocket().orElseThrow().all().get(0).time();
        assertEquals(sent.getEpochSecond() + sent.getNano() / 1e9, messages.get(0).get("time").asDouble(), 1e-6);
    }

    @Test
    void writesOnlyTheFlowsTheFilterSelects() throws Exception {
        Path file = dir.resolve("filtered.har");

        HarWriter.Summary summary = HarWriter.write(file, flows, Filter.parse("status:2xx & !type:image"), "a comment");

        JsonNode har = MAPPER.readTree(file.toFile());
        HarSpec.check(har);
        assertEquals(new HarWriter.Summary(4, 0, 0, 0, 2), summary);
        assertEquals(4, har.at("/log/entries").size());
        assertEquals("a comment", har.at("/log/comment").asText());
    }

    @Test
    void leavesOutFlowsInFlight() throws Exception {
        List<Flow> withLive = new ArrayList<>(flows);
        LiveFlow live = new LiveFlow(99, flows.get(0).client(), Instant.now(), System.nanoTime(), flows.get(0).request());
        withLive.add(live);

        HarWriter.Summary summary = HarWriter.write(new java.io.ByteArrayOutputStream(), withLive, Filter.ALL, "");

        assertEquals(new HarWriter.Summary(6, 1, 0, 0, 0), summary);
    }

    /** A flow that cannot be written (a fault no one foresaw) costs its own entry, never the file or the other flows. */
    @Test
    void writesTheOtherFlowsWhenOneCannotBeWrittenAndSaysWhich() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Flow broken = flows.get(2);

        HarWriter.Summary summary = HarWriter.write(out, flows, Filter.ALL, "", flow -> {
            if (flow == broken) {
                throw new IllegalStateException("a fault");
            }
            return HarEntry.of(flow);
        });

        JsonNode har = MAPPER.readTree(out.toByteArray());
        HarSpec.check(har);
        assertEquals(new HarWriter.Summary(5, 0, 0, 0, 0, List.of("flow " + broken.id() + ": java.lang.IllegalStateException: a fault")),
                summary);
        assertEquals(6, summary.leftOut() + summary.entries());
        assertEquals(5, har.at("/log/entries").size());
    }

    /** A Max-Age past what a date holds made the HAR writer throw (ArithmeticException) and lose the whole file. */
    @Test
    void writesACookieWhoseMaxAgeIsPastAnyDateWithoutAnExpiry() throws Exception {
        Flow flow = proxy.wiretap().history().get(flows.get(4).id()).orElseThrow(); // a copy of its own
        flow.response().orElseThrow().headers().add("Set-Cookie", "forever=1; Max-Age=9223372036854775807");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        HarWriter.Summary summary = HarWriter.write(out, List.of(flow), Filter.ALL, "");

        assertEquals(new HarWriter.Summary(1, 0, 0, 0, 0), summary);
        JsonNode cookie = MAPPER.readTree(out.toByteArray()).at("/log/entries/0/response/cookies/0");
        assertEquals("forever", cookie.get("name").asText());
        assertFalse(cookie.has("expires"));
    }

    private List<JsonNode> entries(Filter filter) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        HarWriter.write(out, flows, filter, "");
        JsonNode har = MAPPER.readTree(out.toByteArray());
        HarSpec.check(har);
        List<JsonNode> entries = new ArrayList<>();
        har.at("/log/entries").forEach(entries::add);
        return entries;
    }
}
