package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Timings;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HAR files read back as flows: wiretap's own (what went out comes back), Chrome's and Firefox's as they write them,
 * and every kind of bad or hostile file refused or salvaged with a clear word, within bounded memory.
 */
class HarReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private static TestOrigin origin;
    private static ProxyUnderTest proxy;
    private static List<Flow> flows;

    @TempDir
    Path dir;

    @BeforeAll
    static void recordExchanges() throws Exception {
        origin = ShopOrigin.start();
        proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(ShopOrigin.CAPTURE_CAP)));
        int closedPort;
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
    void readsBackEveryFlowWiretapWrote() throws Exception {
        Path file = Files.write(dir.resolve("shop.har"), har(flows));

        List<Flow> back = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(file, limits(), back::add);

        assertEquals(new HarReader.Outcome(flows.size(), "wiretap " + dev.wiretap.proxy.Wiretap.version(), List.of()), outcome);
        for (int i = 0; i < flows.size(); i++) {
            Flow a = flows.get(i);
            Flow b = back.get(i);
            String entry = "flow " + i;
            assertEquals(a.request().method(), b.request().method(), entry);
            assertEquals(a.request().url(), b.request().url(), entry);
            assertEquals(a.request().headers().toString(), b.request().headers().toString(), entry);
            assertArrayEquals(a.request().body().bytes(), b.request().body().bytes(), entry);
            assertEquals(a.started().toEpochMilli(), b.started().toEpochMilli(), entry);
            assertEquals(HarTimings.of(a.timings()), HarTimings.of(b.timings()), entry); // as a HAR holds them
            assertEquals(a.client(), b.client(), entry);
            assertEquals(a.serverAddress(), b.serverAddress(), entry);
            assertEquals(a.error(), b.error(), entry);
            assertEquals(a.state(), b.state(), entry);
            Response ra = a.response().orElseThrow();
            Response rb = b.response().orElseThrow();
            assertEquals(ra.toString(), rb.toString(), entry);
            assertEquals(ra.headers().toString(), rb.headers().toString(), entry);
            assertArrayEquals(BodyDecoder.decode(ra.headers(), ra.body()).bytes(), BodyDecoder.decode(rb.headers(), rb.body()).bytes(), entry);
            assertEquals(ra.body().isTruncated(), rb.body().isTruncated(), entry);
            List<String> notes = new ArrayList<>(a.notes());
            notes.add("imported from the HAR file " + file + ", where it was /log/entries/" + i);
            assertEquals(notes, b.notes().subList(0, notes.size()), entry);
        }
        // What the exports show of the flows read back is what they showed of the flows that went out, but for what
        // wiretap's coding of a decoded body changes (its size) and the heads it does not have as they flowed.
        assertEquals(comparable(har(flows)), comparable(har(back)));
    }

    @Test
    void readsAChromeHarWithItsHttp2FieldsBase64ContentFailuresAndWebSockets() throws Exception {
        Path file = resource("chrome.har");

        List<Flow> read = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(file, limits(), read::add);

        assertEquals("WebInspector 537.36", outcome.creator());
        assertEquals(List.of(file + ": skipped /log/entries/3: its URL is a data: URL, which is no exchange over the network"),
                outcome.warnings());
        assertEquals(List.of("GET https://shop.example/?ref=home", "GET https://shop.example/img/logo.png",
                "POST https://api.shop.example/v1/cart", "GET https://tracker.invalid/pixel?id=7", "GET https://shop.example/live",
                "GET https://shop.example/style.css"), read.stream().map(f -> f.request().method() + " " + f.request().url()).toList());

        Flow page = read.get(0);
        assertEquals(HttpVersion.HTTP_1_1, page.request().version());
        assertEquals("accept, accept-encoding, accept-language, cookie, sec-ch-ua, user-agent", names(page.request().headers()));
        assertEquals("\"Chromium\";v=\"122\", \"Not(A:Brand\";v=\"24\"", page.request().headers().first("sec-ch-ua").orElseThrow());
        assertEquals("/?ref=home", page.request().target(), "an https request as it is sent inside its tunnel");
        assertEquals(Instant.parse("2024-03-05T10:15:30.118Z"), page.started());
        assertEquals(new Timings(page.started(), 10_200_000, 11_900_000, 18_500_000, 313_000, 38_402_000, 4_186_000, 85_613_000),
                page.timings());
        assertEquals("[2606:4700:10::6816:1b7e]:443", page.serverAddress());
        Response html = page.response().orElseThrow();
        assertEquals("200 ", html.status() + " " + html.reason());
        assertEquals("cache-control, content-encoding, content-type, date, set-cookie, vary", names(html.headers()));
        DecodedBody decoded = BodyDecoder.decode(html.headers(), html.body());
        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome());
        assertEquals("<!doctype html>\n<html><head><title>Shop</title></head><body><h1>Gr\u00fcn tea</h1></body></html>\n",
                new String(decoded.bytes(), StandardCharsets.UTF_8));
        assertEquals(List.of("imported from the HAR file " + file + ", where it was /log/entries/0",
                "the HAR says the request was http/2.0: shown as HTTP/1.1, the form wiretap keeps messages in",
                "the request's HTTP/2 pseudo-header fields (:method, :path, ...) are left out",
                "the HAR says the response was http/2.0: shown as HTTP/1.1, the form wiretap keeps messages in",
                "the HAR holds the response body decoded: wiretap coded it again (br) as its Content-Encoding field says,"
                        + " so its size is that of wiretap's coding"), page.notes());
        assertEquals(Flow.State.COMPLETED, page.state());

        Body logo = read.get(1).response().orElseThrow().body();
        assertArrayEquals(PNG, logo.bytes());
        assertEquals(-1, read.get(1).timings().connectNanos());

        Flow cart = read.get(2);
        assertEquals("{\"item\":42,\"quantity\":2}", cart.request().body().text(StandardCharsets.UTF_8));
        assertEquals("24", cart.request().headers().first("content-length").orElseThrow());
        assertEquals(201, cart.response().orElseThrow().status());
        assertEquals("104.22.27.126:443", cart.serverAddress());

        Flow failed = read.get(3);
        assertTrue(failed.response().isEmpty());
        assertEquals(new FlowError(FlowError.Kind.DNS, "net::ERR_NAME_NOT_RESOLVED"), failed.error().orElseThrow());
        assertEquals(6_350_000, failed.timings().totalNanos());

        Flow socket = read.get(4);
        assertEquals(101, socket.response().orElseThrow().status());
        assertTrue(socket.notes().contains("a WebSocket handshake (wss://), shown as the https request it is"), socket.notes().toString());

        Flow notModified = read.get(5);
        assertEquals(304, notModified.response().orElseThrow().status());
        assertTrue(notModified.response().orElseThrow().body().isEmpty(), "a 304 has no body, whatever the browser cached");

        // And they are flows like any other: they export again, within the format.
        JsonNode again = MAPPER.readTree(har(read));
        HarSpec.check(again);
        assertEquals(6, again.at("/log/entries").size());
    }

    @Test
    void readsAFirefoxHarWithOffsetsCharsetsFormsAndMissingContent() throws Exception {
        Path file = resource("firefox.har");

        List<Flow> read = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(file, limits(), read::add);

        assertEquals(new HarReader.Outcome(5, "Firefox 123.0", List.of()), outcome);
        Flow page = read.get(0);
        assertEquals(Instant.parse("2024-03-05T10:15:30.118Z"), page.started());
        assertEquals("Host, User-Agent, Accept, Accept-Language, Accept-Encoding, Connection, Upgrade-Insecure-Requests,"
                + " Sec-Fetch-Dest, TE", names(page.request().headers()));
        Response html = page.response().orElseThrow();
        assertEquals("200 OK", html.status() + " " + html.reason());
        assertEquals("gzip", html.headers().first("content-encoding").orElseThrow());
        assertEquals("<!DOCTYPE html><html><body><p>Gr\u00fc\u00dfe aus dem Laden</p></body></html>",
                new String(BodyDecoder.decode(html.headers(), html.body()).bytes(), StandardCharsets.UTF_8));
        assertEquals("[2606:4700:10::6816:1b7e]:443", page.serverAddress());
        assertEquals(0, page.timings().sslNanos());
        assertEquals(45_000_000, page.timings().totalNanos());

        Flow search = read.get(1);
        assertEquals("http://shop.example/search?lang=de", search.request().url(), "the fragment is no part of a request");
        assertEquals("http://shop.example/search?lang=de", search.request().target(), "a plain request as a proxy gets it");
        assertEquals("q=gr%C3%BCn+tea", search.request().body().text(StandardCharsets.US_ASCII));
        byte[] latin1 = search.response().orElseThrow().body().bytes();
        assertArrayEquals("R\u00e9sultats: 3\r\n".getBytes(StandardCharsets.ISO_8859_1), latin1, "the body in its own charset");
        assertEquals(new Timings(search.started(), 3_000_000, 12_000_000, -1, 0, 20_000_000, 1_000_000, 36_000_000), search.timings());
        assertEquals("93.184.216.34:80", search.serverAddress());

        assertArrayEquals(PNG, read.get(2).response().orElseThrow().body().bytes());

        Body script = read.get(3).response().orElseThrow().body();
        assertEquals(0, script.capturedLength());
        assertEquals(5432, script.size());
        assertTrue(read.get(3).notes().contains("the HAR holds no text of the response body (5432 bytes)"), read.get(3).notes().toString());

        Flow blocked = read.get(4);
        assertTrue(blocked.response().isEmpty());
        assertEquals("the HAR holds no response", blocked.error().orElseThrow().message());
        assertEquals(0, blocked.timings().totalNanos());
    }

    static Stream<Arguments> notHarFiles() {
        return Stream.of(
                Arguments.of("notes.har", "just some notes\n".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: it is not valid JSON at line 1, column 1 (in /): Unrecognized token 'just'"),
                Arguments.of("array.har", "[1, 2]".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: it holds an array where a HAR's JSON object belongs"),
                Arguments.of("empty.har", new byte[0], " is not a HAR file: it holds nothing where a HAR's JSON object belongs"),
                Arguments.of("nolog.har", "{\"version\": \"1.2\"}".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: it has no /log object"),
                Arguments.of("lognumber.har", "{\"log\": 3}".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: /log is a number, not an object"),
                Arguments.of("noentries.har", "{\"log\": {\"version\": \"1.2\"}}".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: its /log has no entries array"),
                Arguments.of("entriesobject.har", "{\"log\": {\"entries\": {}}}".getBytes(StandardCharsets.UTF_8),
                        " is not a HAR file: its /log/entries is not an array"),
                Arguments.of("utf16.har", "{\"log\": {\"entries\": []}}".getBytes(StandardCharsets.UTF_16),
                        " is in UTF-16 or UTF-32; wiretap reads HAR files in UTF-8, as the format asks"),
                Arguments.of("broken.har", "{\"log\": {\"version\": 1.2,, }}".getBytes(StandardCharsets.UTF_8),
                        " is not valid JSON at line 1, column 25 (in /log/version): Unexpected character (','"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notHarFiles")
    void refusesAFileThatIsNotAHarSayingWhatAndWhere(String name, byte[] content, String expected) throws Exception {
        Path file = Files.write(dir.resolve(name), content);

        HarFileException e = assertThrows(HarFileException.class, () -> HarReader.read(file, limits(), flow -> { }));

        assertTrue(e.getMessage().startsWith(file + expected), e.getMessage());
    }

    @Test
    void skipsEntriesThatCannotBeFlowsNamingEachAndLoadsTheRest() throws Exception {
        String good = entry("GET", "https://example.com/good");
        String har = "{\"log\": {\"entries\": [" + String.join(",", good,
                "\"an entry that is a string\"",
                "{\"startedDateTime\": \"2024-01-01T00:00:00Z\", \"request\": {\"method\": \"GET\"}}",
                entry("GET /x", "https://example.com/"),
                entry("GET", "ftp://example.com/file"),
                entry("GET", "https://exa mple.com/"),
                entry("CONNECT", "https://example.com:443"),
                good) + "]}}";
        Path file = Files.writeString(dir.resolve("mixed.har"), har);

        List<Flow> read = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(file, limits(), read::add);

        assertEquals(2, read.size());
        assertEquals(List.of(
                file + ": skipped /log/entries/1: it is a string, not an object",
                file + ": skipped /log/entries/2: it has no request URL (/log/entries/2/request/url)",
                file + ": skipped /log/entries/3: its request method is not a token (/log/entries/3/request/method: 'GET /x')",
                file + ": skipped /log/entries/4: its URL is a ftp: URL, which wiretap does not read (http, https, ws and wss)",
                file + ": skipped /log/entries/5: its URL's host 'exa mple.com' is not one a request can name",
                file + ": skipped /log/entries/6: it is a CONNECT tunnel, which holds no exchange to show"), outcome.warnings());
    }

    @Test
    void keepsTheFlowsBeforeTheCutOfAFileCutShort() throws Exception {
        byte[] whole = har(flows);
        String text = new String(whole, StandardCharsets.UTF_8);
        int third = text.indexOf("\"startedDateTime\"", text.indexOf("\"startedDateTime\"", text.indexOf("\"startedDateTime\"") + 1) + 1);
        Path file = Files.writeString(dir.resolve("cut.har"), text.substring(0, third + 40));

        List<Flow> read = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(file, limits(), read::add);

        assertEquals(2, read.size());
        assertEquals(1, outcome.warnings().size());
        String warning = outcome.warnings().get(0);
        assertTrue(warning.startsWith(file + " ends early at line ") && warning.contains("(in /log/entries/2/startedDateTime)")
                && warning.endsWith(": loaded the 2 flows before that point"), warning);
    }

    @Test
    void leavesOutFieldsThatCouldNotHaveFlowedSayingWhich() throws Exception {
        String har = "{\"log\": {\"entries\": [{\"startedDateTime\": \"2024-01-01T00:00:00Z\", \"request\": {\"method\": \"GET\","
                + " \"url\": \"https://example.com/caf\u00e9 menu?q=\u00e9\", \"headers\": [{\"name\": \"X-Ok\", \"value\": \"caf\u00e9 \u20ac\"},"
                + " {\"name\": \"Bad Name\", \"value\": \"x\"}, {\"name\": \"X-Injected\", \"value\": \"a\\r\\nEvil: 1\"},"
                + " {\"value\": \"no name\"}]}, \"response\": {\"status\": 200, \"headers\": []}}]}}";
        Path file = Files.writeString(dir.resolve("fields.har"), har);

        List<Flow> read = new ArrayList<>();
        HarReader.read(file, limits(), read::add);

        Flow flow = read.get(0);
        assertEquals("https://example.com/caf%C3%A9%20menu?q=%C3%A9", flow.request().url());
        assertEquals("X-Ok", names(flow.request().headers()));
        assertArrayEquals("caf\u00e9 \u20ac".getBytes(StandardCharsets.UTF_8),
                flow.request().headers().value(0).getBytes(StandardCharsets.ISO_8859_1), "the value's bytes in UTF-8");
        assertTrue(flow.notes().containsAll(List.of("a request field whose name 'Bad Name' is not a token is left out",
                "the request field X-Injected holds control characters and is left out",
                "in the HAR file: /log/entries/0/request/headers/3: a header field without a name; left out")), flow.notes().toString());
    }

    @Test
    void keepsABodyLargerThanTheCaptureCapAsFarAsTheCap() throws Exception {
        String text = "0123456789".repeat(300_000); // 3 MB
        Path file = Files.writeString(dir.resolve("big.har"), "{\"log\": {\"entries\": [" + entry("GET", "https://example.com/big",
                "{\"status\": 200, \"headers\": [{\"name\": \"Content-Type\", \"value\": \"text/plain\"}], \"content\":"
                        + " {\"size\": 3000000, \"mimeType\": \"text/plain\", \"text\": \"" + text + "\"}}") + "]}}");

        List<Flow> read = new ArrayList<>();
        HarReader.read(file, new ImportLimits(1 << 20, 200, 64 * 1024, 1 << 30), read::add);

        Body body = read.get(0).response().orElseThrow().body();
        assertEquals(1 << 20, body.capturedLength());
        assertEquals(3_000_000, body.size());
        assertEquals(text.substring(0, 1 << 20), body.text(StandardCharsets.US_ASCII));
    }

    /**
     * A hostile file: one entry whose body text is far larger than the heap, then one more entry. Read in bounded memory
     * (the string is cut on the way in, never buffered whole), its start kept to the cap, and the entry after it read.
     */
    @Test
    void readsABodyLargerThanTheHeapInBoundedMemory() throws Exception {
        long huge = 600L << 20; // the test JVM has a 512 MiB heap
        String head = "{\"log\": {\"entries\": [{\"startedDateTime\": \"2024-01-01T00:00:00Z\", \"request\": {\"method\": \"GET\","
                + " \"url\": \"https://example.com/huge\"}, \"response\": {\"status\": 200, \"headers\": [{\"name\": \"Content-Type\","
                + " \"value\": \"application/octet-stream\"}], \"content\": {\"mimeType\": \"application/octet-stream\","
                + " \"encoding\": \"base64\", \"text\": \"";
        String tail = "\"}}}, " + entry("GET", "https://example.com/after") + "]}}";
        InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)), new Repeated((byte) 'A', huge),
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.US_ASCII)))));

        List<Flow> read = new ArrayList<>();
        HarReader.Outcome outcome = HarReader.read(in, "huge.har", new ImportLimits(1 << 20, 200, 64 * 1024, 1 << 30), read::add);

        assertEquals(2, outcome.flows());
        Body body = read.get(0).response().orElseThrow().body();
        assertEquals(1 << 20, body.capturedLength());
        assertTrue(body.isTruncated());
        assertTrue(read.get(0).notes().contains("the response body's text in the HAR is " + huge
                + " bytes long, more than wiretap reads: only its start is kept"), read.get(0).notes().toString());
        assertEquals("https://example.com/after", read.get(1).request().url());
    }

    /** Repeated objects and endless fields cannot make one entry hold more than a flow through the proxy may. */
    @Test
    void keepsAnEntryWithinTheHeadLimitsWhateverItRepeats() throws Exception {
        StringBuilder har = new StringBuilder("{\"log\": {\"entries\": [{\"startedDateTime\": \"2024-01-01T00:00:00Z\",");
        String fields = "{\"name\": \"X-A\", \"value\": \"1\"},".repeat(300) + "{\"name\": \"X-B\", \"value\": \"2\"}";
        for (int i = 0; i < 200; i++) {
            har.append("\"request\": {\"method\": \"GET\", \"url\": \"https://example.com/\", \"headers\": [").append(fields).append("]},");
        }
        har.append("\"timings\": {");
        for (int i = 0; i < 100_000; i++) {
            har.append("\"_x").append(i).append("\": \"junk\", ");
        }
        har.append("\"send\": \"soon\", \"wait\": 5, \"receive\": 1}, \"response\": {\"status\": 200, \"headers\": []}}]}}");
        Path file = Files.writeString(dir.resolve("repeats.har"), har);

        List<Flow> read = new ArrayList<>();
        HarReader.read(file, limits(), read::add);

        Flow flow = read.get(0);
        assertEquals(200, flow.request().headers().size());
        assertTrue(flow.notes().contains("101 request fields past wiretap's limits (200 fields, 65536 bytes) are left out"),
                flow.notes().toString());
        assertTrue(flow.notes().contains("in the HAR file: /log/entries/0/timings/send: 'soon' where a number belongs"),
                flow.notes().toString());
        assertEquals(6_000_000, flow.timings().totalNanos());
    }

    @Test
    void refusesNestingPastAnyHarsDepthWithoutRunningOutOfStack() throws Exception {
        String deep = "{\"log\": {\"entries\": [{\"_deep\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}]}}";
        Path file = Files.writeString(dir.resolve("deep.har"), deep);

        HarReader.Outcome outcome = HarReader.read(file, limits(), flow -> { });

        assertEquals(0, outcome.flows());
        assertTrue(outcome.warnings().get(0).startsWith(file + " is not valid JSON at line 1, column "), outcome.warnings().toString());
        assertTrue(outcome.warnings().get(0).contains("nesting depth"), outcome.warnings().toString());
    }

    @Test
    void loadsAHarIntoARunningWiretapTellingItFromASessionFileByItsContent() throws Exception {
        Path har = Files.write(dir.resolve("no-extension"), har(flows.subList(0, 3)));
        Path session = dir.resolve("session.har"); // a misleading name: the content decides
        SessionFile.write(session, flows.subList(0, 2));
        try (ProxyUnderTest other = ProxyUnderTest.start()) {
            List<Flow> imported = new ArrayList<>();

            FlowImport.Loaded fromHar = FlowImport.load(har, other.wiretap(), imported::add);
            FlowImport.Loaded fromSession = FlowImport.load(session, other.wiretap(), imported::add);

            assertEquals(new FlowImport.Loaded(FlowImport.Format.HAR, 3, "wiretap " + dev.wiretap.proxy.Wiretap.version(), List.of()),
                    fromHar);
            assertEquals(new FlowImport.Loaded(FlowImport.Format.SESSION, 2, "wiretap " + dev.wiretap.proxy.Wiretap.version(), List.of()),
                    fromSession);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), imported.stream().map(Flow::id).toList());
            assertEquals(5, other.wiretap().history().size());
            assertTrue(imported.get(0).notes().contains("imported from the HAR file " + har + ", where it was /log/entries/0"));
            assertTrue(imported.get(3).notes().contains("loaded from the session file " + session + ", where it was flow "
                    + flows.get(0).id()));
            FlowFileException neither = assertThrows(FlowFileException.class, () -> FlowImport.load(
                    Files.writeString(dir.resolve("notes.txt"), "just notes"), other.wiretap(), imported::add));
            assertEquals(dir.resolve("notes.txt") + " is neither a wiretap session file nor a HAR file", neither.getMessage());
        }
    }

    /** A minimal entry with a 200 response, or with {@code response} as given. */
    private static String entry(String method, String url, String... response) {
        return "{\"startedDateTime\": \"2024-01-01T00:00:00Z\", \"time\": 1, \"request\": {\"method\": \"" + method + "\", \"url\": \""
                + url + "\", \"httpVersion\": \"HTTP/1.1\", \"headers\": []}, \"response\": "
                + (response.length == 0 ? "{\"status\": 200, \"headers\": []}" : response[0]) + "}";
    }

    private static ImportLimits limits() {
        return ImportLimits.DEFAULTS;
    }

    private Path resource(String name) throws Exception {
        try (InputStream in = HarReaderTest.class.getResourceAsStream(name)) {
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }

    private static String names(Headers headers) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            names.add(headers.name(i));
        }
        return String.join(", ", names);
    }

    private static byte[] har(List<Flow> flows) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HarWriter.write(out, flows, Filter.ALL, "");
        return out.toByteArray();
    }

    /** A HAR without what a flow read back from a HAR cannot have as it was: wire sizes, and its notes (one more). */
    private static JsonNode comparable(byte[] har) throws Exception {
        JsonNode root = MAPPER.readTree(har);
        for (JsonNode entry : root.at("/log/entries")) {
            for (String side : List.of("request", "response")) {
                ObjectNode message = (ObjectNode) entry.get(side);
                message.remove(List.of("headersSize", "bodySize"));
                if (message.has("content")) {
                    ((ObjectNode) message.get("content")).remove("compression");
                }
            }
            ((ObjectNode) entry.get("_wiretap")).remove("notes");
        }
        return root;
    }

    /** {@code count} times one byte, made as it is read. */
    private static final class Repeated extends InputStream {
        private final byte value;
        private long left;

        Repeated(byte value, long count) {
            this.value = value;
            this.left = count;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return value & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, value);
            left -= n;
            return n;
        }
    }
}
