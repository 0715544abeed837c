package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap run headless as CI would run it: a child JVM with --filter, --har and --log-format json, driven by curl,
 * stopped by a signal, after which the HAR file must be there and hold the exchanges the filter selected.
 */
class HeadlessProcessTest {

    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern BANNER = Pattern.compile("wiretap \\S+ listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    private ChildWiretap wiretap;

    @AfterEach
    void killWhatIsLeft() {
        if (wiretap != null) {
            wiretap.close();
        }
    }

    @Test
    void logsAndWritesToTheHarOnlyWhatTheFilterSelectsAndWritesItOnSigterm() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Path har = dir.resolve("run.har");
        try (TestOrigin origin = TestOrigin.fixed("hello")) {
            ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), "--headless",
                    "--filter", "path:/keep", "--har", har.toString());
            wiretap = started.wiretap();
            String proxy = "http://127.0.0.1:" + started.port();

            curl(proxy, origin.url("/drop"));
            curl(proxy, origin.url("/keep?x=1"));

            String line = wiretap.nextLine();
            assertTrue(line.contains(" GET " + origin.url("/keep?x=1") + " 200 5b "), "the first line is the one selected: " + line);
            assertFalse(Files.exists(har), "the HAR is written at exit");
            String last = wiretap.stopWithSigterm();
            assertTrue(last.contains("2 flows"), last);

            JsonNode entries = MAPPER.readTree(har.toFile()).at("/log/entries");
            assertEquals(1, entries.size());
            assertEquals(origin.url("/keep?x=1"), entries.get(0).at("/request/url").asText());
            assertEquals("hello", entries.get(0).at("/response/content/text").asText());
        }
    }

    @Test
    void aBodyFilterSelectsCompressedExchangesForTheLogAndTheHar() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Path har = dir.resolve("needle.har");
        try (TestOrigin origin = CodedOrigin.start()) {
            ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), "--headless",
                    "--filter", "resbody:needle", "--har", har.toString());
            wiretap = started.wiretap();
            String proxy = "http://127.0.0.1:" + started.port();

            curl(proxy, origin.url("/plain"));
            curl(proxy, origin.url("/coded/gzip"));
            curl(proxy, origin.url("/coded/br"));

            assertTrue(wiretap.nextLine().contains(" GET " + origin.url("/coded/gzip") + " 200 "), "the gzip exchange is not logged first");
            assertTrue(wiretap.nextLine().contains(" GET " + origin.url("/coded/br") + " 200 "), "the br exchange is not logged next");
            String last = wiretap.stopWithSigterm();
            assertTrue(last.contains("3 flows"), last);

            JsonNode entries = MAPPER.readTree(har.toFile()).at("/log/entries");
            assertEquals(2, entries.size(), entries.toString());
            assertEquals(origin.url("/coded/gzip"), entries.get(0).at("/request/url").asText());
            assertEquals(origin.url("/coded/br"), entries.get(1).at("/request/url").asText());
            assertEquals(CodedOrigin.JSON, entries.get(0).at("/response/content/text").asText());
        }
    }

    /**
     * Issue 12, item 6: a 200 KB gzip response that decodes to 200 MiB made the HAR written at SIGTERM run the heap out,
     * and there was no HAR at all. In a 64 MiB heap, every exchange must be in the HAR, the bomb's body cut where the
     * exporter stops decoding, with a note on the entry.
     */
    @Test
    void writesEveryExchangeToTheHarAtExitThoughOneIsADecompressionBomb() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Path har = dir.resolve("bomb.har");
        byte[] bomb = gzipOfRepeated((byte) 'a', 200 << 20);
        assertTrue(bomb.length < 300_000, "a bomb: " + bomb.length + " bytes");
        try (TestOrigin origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                boolean isBomb = head.startsWith("GET /bomb ");
                byte[] body = isBomb ? bomb : "fine\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                String fields = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + (isBomb ? "Content-Encoding: gzip\r\n" : "")
                        + "Content-Length: " + body.length + "\r\n\r\n";
                conn.out().write(fields.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                conn.out().write(body);
                conn.out().flush();
            }
        })) {
            ChildWiretap.Started started = ChildWiretap.startListeningInHeap(dir.resolve("home"), "64m", "--headless",
                    "--har", har.toString());
            wiretap = started.wiretap();
            String proxy = "http://127.0.0.1:" + started.port();

            curl(proxy, origin.url("/before"));
            curl(proxy, origin.url("/bomb"));
            curl(proxy, origin.url("/after"));
            wiretap.awaitLine(line -> line.contains(origin.url("/after")));
            String last = wiretap.stopWithSigterm();
            assertTrue(last.contains("3 flows"), last);

            JsonNode entries = MAPPER.readTree(har.toFile()).at("/log/entries");
            assertEquals(List.of(origin.url("/before"), origin.url("/bomb"), origin.url("/after")),
                    List.of(entries.get(0).at("/request/url").asText(), entries.get(1).at("/request/url").asText(),
                            entries.get(2).at("/request/url").asText()));
            JsonNode content = entries.get(1).at("/response/content");
            int cut = 16 << 20;
            assertEquals(cut, content.get("size").asInt());
            assertEquals(cut, content.get("text").asText().length());
            assertEquals("gzip: decoded output cut at " + cut + " bytes", content.get("comment").asText());
            assertEquals("response body: gzip: decoded output cut at " + cut + " bytes", entries.get(1).get("comment").asText());
            assertEquals("fine\n", entries.get(2).at("/response/content/text").asText());
        }
    }

    /** {@code count} times {@code b}, gzipped, made a buffer at a time. */
    private static byte[] gzipOfRepeated(byte b, int count) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, b);
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out, 1 << 16)) {
            for (int written = 0; written < count; written += chunk.length) {
                gzip.write(chunk, 0, Math.min(chunk.length, count - written));
            }
        }
        return out.toByteArray();
    }

    @Test
    void writesJsonLinesAloneOnStandardOutput() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Path har = dir.resolve("json.har");
        try (TestOrigin origin = TestOrigin.fixed("{\"ok\":true}")) {
            int port = startJson("--har", har.toString(), "-v");

            curl("http://127.0.0.1:" + port, origin.url("/api"));

            JsonNode line = MAPPER.readTree(wiretap.nextLine());
            assertEquals("GET", line.get("method").asText());
            assertEquals(origin.url("/api"), line.get("url").asText());
            assertEquals(200, line.get("status").asInt());
            assertEquals(11, line.get("responseBytes").asInt());
            assertTrue(line.get("requestHeaders").isArray() && line.get("requestHeaders").size() > 0, line.toString());
            stop("TERM");
            assertEquals(List.of(), wiretap.remainingLines(), "nothing but JSON lines on standard output");
            assertTrue(wiretap.stderr().contains("wrote 1 exchange to " + har), wiretap.stderr());
            assertTrue(wiretap.stderr().contains("wiretap stopped. 1 flow;"), wiretap.stderr());
            assertEquals(1, MAPPER.readTree(har.toFile()).at("/log/entries").size());
        }
    }

    @Test
    void writesTheHarOnCtrlC() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl is not installed");
        Path har = dir.resolve("ctrl-c.har");
        try (TestOrigin origin = TestOrigin.fixed("bye")) {
            int port = startJson("--har", har.toString());
            assumeFalse(ignoresSigint(wiretap.process().pid()), "started with SIGINT ignored (a background job): Ctrl-C cannot reach it");

            curl("http://127.0.0.1:" + port, origin.url("/ctrl-c"));
            wiretap.nextLine();
            stop("INT");

            assertEquals(1, MAPPER.readTree(har.toFile()).at("/log/entries").size());
        }
    }

    @Test
    void exitsWith1WhenTheHarCannotBeWrittenAtExit() throws Exception {
        Path gone = Files.createDirectory(dir.resolve("gone"));
        Path har = gone.resolve("x.har");
        int port = startJson("--har", har.toString());
        assertTrue(port > 0);
        Files.delete(gone); // after the check at start, before the exit

        assertTrue(wiretap.process().toHandle().destroy());
        assertTrue(wiretap.process().waitFor(30, TimeUnit.SECONDS), "wiretap did not stop within 30 s");
        wiretap.awaitEndOfOutput();

        assertEquals(1, wiretap.process().exitValue());
        assertTrue(wiretap.stderr().contains("wiretap: cannot write " + har + ": no such directory"), wiretap.stderr());
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Starts wiretap with --log-format json and returns the port its banner (on standard error) names, having read the
     * log's first record (where wiretap listens).
     */
    private int startJson(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--listen", "127.0.0.1:0", "--log-format", "json"));
        args.addAll(List.of(more));
        wiretap = ChildWiretap.start(dir.resolve("home"), args.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = BANNER.matcher(wiretap.stderr());
            if (m.find()) {
                JsonNode start = MAPPER.readTree(wiretap.nextLine());
                assertEquals("start", start.get("event").asText(), "the first record says where wiretap listens: " + start);
                assertEquals("http://127.0.0.1:" + m.group(1), start.get("proxy").asText());
                return Integer.parseInt(m.group(1));
            }
            Thread.sleep(20); // polling the child's output for its banner, not waiting for a result
        }
        throw new AssertionError("no banner on standard error within 60 s: " + wiretap.stderr());
    }

    private void stop(String signal) throws Exception {
        Processes.Result kill = Processes.run(Map.of(), Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(wiretap.process().pid()));
        assertTrue(kill.succeeded(), kill.describe());
        assertTrue(wiretap.process().waitFor(30, TimeUnit.SECONDS), "wiretap did not stop within 30 s of SIG" + signal);
        wiretap.awaitEndOfOutput();
        assertEquals(0, wiretap.process().exitValue(), wiretap.stderr());
    }

    /** Whether the process ignores SIGINT (bit 2 of SigIgn in /proc/PID/status), as jobs a shell starts in the background do. */
    private static boolean ignoresSigint(long pid) throws Exception {
        Path status = Path.of("/proc/" + pid + "/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    private void curl(String proxy, String url) throws Exception {
        Processes.Result result = Processes.run(Map.of(), Duration.ofSeconds(60), CURL.toString(), "-sS", "--max-time", "30",
                "--noproxy", "", "-x", proxy, url);
        assertEquals(0, result.exitCode(), result.describe() + "\nwiretap stderr: " + wiretap.stderr());
    }
}
