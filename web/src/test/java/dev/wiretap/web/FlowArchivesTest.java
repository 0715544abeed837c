package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.RawClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The flow store as files through the JSON API, over real traffic: a HAR of every flow or of the filtered ones, parsed;
 * a session file saved, the store cleared and the file loaded back as the same flows; a browser's HAR imported as flows
 * that the list then holds and every live stream is told to read again; uploads that are not such files, empty, or over
 * the limit (by their length before anything is read, or as a chunked upload grows) refused in JSON.
 */
class FlowArchivesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A HAR as Chrome's network panel writes one (the fields that matter), two entries. */
    static final String CHROME_HAR = """
            {"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "pages": [],
             "entries": [
              {"startedDateTime": "2026-01-10T13:06:44.989Z", "time": 12.5,
               "request": {"method": "GET", "url": "https://shop.example/api/cart?id=7", "httpVersion": "http/2.0",
                "headers": [{"name": ":authority", "value": "shop.example"}, {"name": "accept", "value": "application/json"}],
                "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
               "response": {"status": 200, "statusText": "", "httpVersion": "http/2.0",
                "headers": [{"name": "content-type", "value": "application/json"}], "cookies": [],
                "content": {"size": 13, "mimeType": "application/json", "text": "{\\"items\\":[1]}"},
                "redirectURL": "", "headersSize": -1, "bodySize": 13},
               "cache": {}, "timings": {"blocked": 1, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 10, "receive": 1.4}},
              {"startedDateTime": "2026-01-10T13:06:45.100Z", "time": 30,
               "request": {"method": "POST", "url": "https://shop.example/api/order", "httpVersion": "http/2.0",
                "headers": [{"name": "content-type", "value": "application/json"}], "queryString": [], "cookies": [],
                "headersSize": -1, "bodySize": 8, "postData": {"mimeType": "application/json", "text": "{\\"id\\":7}"}},
               "response": {"status": 201, "statusText": "Created", "httpVersion": "http/2.0", "headers": [], "cookies": [],
                "content": {"size": 0, "mimeType": "x-unknown"}, "redirectURL": "", "headersSize": -1, "bodySize": 0},
               "cache": {}, "timings": {"send": 0.1, "wait": 28, "receive": 1.9}}]}}
            """;

    private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<byte[]> download(WebUnderTest wiretap, String path) throws Exception {
        return wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url(path)))
                .header("Authorization", "Bearer " + wiretap.web().token()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> upload(WebUnderTest wiretap, String name, byte[] file) throws Exception {
        return wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/import?name=" + name)))
                .header("Authorization", "Bearer " + wiretap.web().token()).header("Content-Type", "application/octet-stream")
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(file)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> urls(JsonNode har) {
        List<String> urls = new ArrayList<>();
        har.get("log").get("entries").forEach(e -> urls.add(e.get("request").get("url").asText()));
        return urls;
    }

    /** Three exchanges through the proxy, each stored before the next. */
    private static void traffic(WebUnderTest wiretap, ShopOrigin shop) throws Exception {
        for (String path : List.of("/api/user.json", "/logo.png", "/missing")) {
            wiretap.getThroughProxy(shop.url(path));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wiretap.wiretap().history().recent(10, Flow::isDone).size() < 3) {
            assertTrue(System.nanoTime() < deadline, "three flows within 10 s");
            Thread.sleep(10);
        }
    }

    @Test
    void aHarOfEveryFlowOrOfTheFilteredOnesDownloadsAndParses() throws Exception {
        try (ShopOrigin shop = ShopOrigin.start(); WebUnderTest wiretap = WebUnderTest.start()) {
            traffic(wiretap, shop);
            HttpResponse<byte[]> all = download(wiretap, "/api/export/har");
            assertEquals(200, all.statusCode());
            assertTrue(all.headers().firstValue("Content-Disposition").orElse("")
                    .matches("attachment; filename=\"wiretap-\\d{8}-\\d{6}\\.har\""), all.headers().map().toString());
            JsonNode har = JSON.readTree(all.body());
            assertEquals("1.2", har.get("log").get("version").asText());
            assertEquals("wiretap", har.get("log").get("creator").get("name").asText());
            assertEquals(List.of(shop.url("/api/user.json"), shop.url("/logo.png"), shop.url("/missing")), urls(har));
            JsonNode user = har.get("log").get("entries").get(0);
            assertEquals(ShopOrigin.USER_JSON, user.get("response").get("content").get("text").asText());

            JsonNode filtered = JSON.readTree(download(wiretap, "/api/export/har?filter=status:4xx%20%7C%20path:/logo").body());
            assertEquals(List.of(shop.url("/logo.png"), shop.url("/missing")), urls(filtered));

            JsonNode bad = json(wiretap.api("/api/export/har?filter=status:4xx%20%26%20(path:/b"), 400);
            assertEquals("filter", bad.get("parameter").asText());
            assertEquals(14, bad.get("column").asInt());
            assertEquals(405, wiretap.api("POST", "/api/export/har", "").statusCode());
            assertEquals(404, wiretap.api("/api/export/zip").statusCode());
        }
    }

    @Test
    void aSessionFileSavedAndLoadedBackHoldsTheSameFlows() throws Exception {
        try (ShopOrigin shop = ShopOrigin.start(); WebUnderTest wiretap = WebUnderTest.start()) {
            traffic(wiretap, shop);
            HttpResponse<byte[]> saved = download(wiretap, "/api/export/session");
            assertEquals(200, saved.statusCode());
            assertTrue(saved.headers().firstValue("Content-Disposition").orElse("").endsWith(".wiretap\""));
            assertEquals(3, json(wiretap.api("DELETE", "/api/flows", null), 200).get("cleared").asInt());

            JsonNode loaded = json(upload(wiretap, "shop.wiretap", saved.body()), 200);
            assertEquals("session", loaded.get("format").asText());
            assertEquals("wiretap session file", loaded.get("description").asText());
            assertEquals("wiretap " + dev.wiretap.proxy.Wiretap.version(), loaded.get("source").asText());
            assertEquals(3, loaded.get("flows").asInt());
            assertEquals(loaded.get("first").asLong() + 2, loaded.get("last").asLong());
            assertEquals(0, loaded.get("warnings").size());

            JsonNode list = json(wiretap.api("/api/flows"), 200);
            List<String> listed = new ArrayList<>();
            list.get("flows").forEach(f -> listed.add(f.get("path").asText() + " " + f.get("status").asInt()));
            assertEquals(List.of("/missing 404", "/logo.png 200", "/api/user.json 200"), listed);
            JsonNode user = json(wiretap.api("/api/flows/" + loaded.get("first").asLong()), 200);
            assertEquals(ShopOrigin.USER_JSON, user.get("response").get("body").get("text").asText());
            assertTrue(user.get("notes").get(0).asText().startsWith("loaded from the session file shop.wiretap, where it was flow "),
                    user.get("notes").toString());
        }
    }

    @Test
    void aBrowsersHarBecomesFlowsAndEveryLiveStreamReadsTheListAgain() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start();
             java.net.Socket events = new java.net.Socket("127.0.0.1", wiretap.port())) {
            events.setSoTimeout(10_000);
            events.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:" + wiretap.port() + "\r\nAuthorization: Bearer "
                    + wiretap.web().token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader stream = new java.io.BufferedReader(new java.io.InputStreamReader(events.getInputStream(),
                    StandardCharsets.UTF_8));
            awaitLine(stream, "event: hello");

            JsonNode loaded = json(upload(wiretap, "shop.example.har", CHROME_HAR.getBytes(StandardCharsets.UTF_8)), 200);
            assertEquals("har", loaded.get("format").asText());
            assertEquals("WebInspector 537.36", loaded.get("source").asText());
            assertEquals(2, loaded.get("flows").asInt());
            awaitLine(stream, "event: resync");

            JsonNode rows = json(wiretap.api("/api/flows"), 200).get("flows");
            assertEquals("/api/order", rows.get(0).get("path").asText());
            assertEquals(201, rows.get(0).get("status").asInt());
            JsonNode cart = json(wiretap.api("/api/flows/" + loaded.get("first").asLong()), 200);
            assertEquals("https://shop.example/api/cart?id=7", cart.get("request").get("url").asText());
            assertEquals("{\"items\":[1]}", cart.get("response").get("body").get("text").asText());
            HttpResponse<String> replay = wiretap.api("POST", "/api/flows/" + loaded.get("last").asLong() + "/replay", null);
            assertEquals(202, replay.statusCode(), replay.body());
        }
    }

    private static void awaitLine(java.io.BufferedReader stream, String line) throws Exception {
        String read;
        while ((read = stream.readLine()) != null) {
            if (read.equals(line)) {
                return;
            }
        }
        throw new AssertionError("the stream ended before " + line);
    }

    @Test
    void whatIsNotAFileOfFlowsIsRefusedInWords() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start()) {
            JsonNode text = json(upload(wiretap, "notes.txt", "just some text\n".getBytes(StandardCharsets.UTF_8)), 400);
            assertEquals("notes.txt is neither a wiretap session file nor a HAR file", text.get("error").asText());
            assertEquals("the upload is empty", json(upload(wiretap, "", new byte[0]), 400).get("error").asText());
            JsonNode other = json(upload(wiretap, "other.json", "{\"hello\": [1, 2]}".getBytes(StandardCharsets.UTF_8)), 400);
            assertTrue(other.get("error").asText().startsWith("other.json "), other.toString());
            JsonNode broken = json(upload(wiretap, "broken.har", "{\"log\": {\"entries\": [".getBytes(StandardCharsets.UTF_8)), 200);
            assertEquals(0, broken.get("flows").asInt());
            assertEquals("broken.har ends early at line 1, column 22 (in /log/entries): loaded the 0 flows before that point",
                    broken.get("warnings").get(0).asText());
            JsonNode damaged = json(upload(wiretap, "damaged.wiretap", new byte[]{(byte) 0x89, 'W', 'I', 'R', 'E', 'T', 'A', 'P', 0, 0}), 400);
            assertEquals("damaged.wiretap is not a wiretap session file", damaged.get("error").asText());
            assertEquals(405, wiretap.api("/api/import").statusCode());
            assertEquals(0, wiretap.wiretap().history().size(), "nothing was loaded");
        }
    }

    @Test
    void anUploadOverTheLimitIs413ByItsLengthBeforeAnythingIsRead() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start(); RawClient client = new RawClient(wiretap.address())) {
            RawClient.Response r = client.send("POST /api/import?name=huge.har HTTP/1.1\r\nHost: 127.0.0.1:" + wiretap.port()
                    + "\r\nAuthorization: Bearer " + wiretap.web().token() + "\r\nExpect: 100-continue\r\nContent-Length: "
                    + (FlowArchives.DEFAULT_MAX_IMPORT_BYTES + 1) + "\r\n\r\n").readResponse();
            assertEquals(413, r.status());
            assertEquals("{\"error\":\"a request body larger than 1073741824 bytes, the most this takes\",\"status\":413}", r.bodyText());
            assertEquals(FlowArchives.DEFAULT_MAX_IMPORT_BYTES, json(wiretap.api("/api/info"), 200).get("maxImportBytes").asLong());
        }
    }

    @Test
    void aChunkedUploadThatGrowsOverTheLimitIs413SayingWhatWasLoadedBefore() throws Exception {
        byte[] har = CHROME_HAR.getBytes(StandardCharsets.UTF_8);
        try (WebUnderTest wiretap = WebUnderTest.start(s -> s, Optional.empty(), har.length - 1);
             RawClient client = new RawClient(wiretap.address())) {
            client.send("POST /api/import?name=big.har HTTP/1.1\r\nHost: 127.0.0.1:" + wiretap.port() + "\r\nAuthorization: Bearer "
                    + wiretap.web().token() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(har.length) + "\r\n");
            client.send(har);
            RawClient.Response r = client.send("\r\n0\r\n\r\n").readResponse();
            assertEquals(413, r.status());
            JsonNode error = JSON.readTree(r.body());
            assertEquals("big.har: a request body larger than " + (har.length - 1) + " bytes, the most this takes; nothing was loaded",
                    error.get("error").asText());
            assertTrue(client.isClosedByPeer());
        }
    }
}
