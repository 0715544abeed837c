package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowLogTest {

    private static final Instant STARTED = Instant.parse("2025-03-04T10:11:12.345Z");
    private static final String TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault()).format(STARTED);

    @Test
    void formatsOneLineWithTimeClientMethodUrlStatusSizeAndDuration() {
        LiveFlow flow = get("http://example.com/page?q=1");
        respond(flow, 200, "OK", "hello");
        flow.complete(flow.startNanos() + 1_500_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://example.com/page?q=1 200 5b 1.5ms\n", format(flow, false, false));
    }

    @Test
    void addsTheErrorMessageOfAFailedFlow() {
        LiveFlow flow = get("http://127.0.0.1:1/");
        respond(flow, 502, "Bad Gateway", "wiretap: connection refused by 127.0.0.1:1\n");
        flow.fail(new FlowError(FlowError.Kind.CONNECT, "connection refused by 127.0.0.1:1"), flow.startNanos() + 42_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://127.0.0.1:1/ 502 43b 42ms connection refused by 127.0.0.1:1\n",
                format(flow, false, false));
    }

    @Test
    void showsDashesForAFlowThatEndedWithoutAResponse() {
        LiveFlow flow = get("http://example.com/big");
        flow.fail(new FlowError(FlowError.Kind.CLIENT_CLOSED, "client went away"), flow.startNanos() + 12_340_000_000L);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://example.com/big --- 0b 12.3s client went away\n", format(flow, false, false));
    }

    @Test
    void showsATunnelByItsTargetAndTheBytesSentToTheClient() {
        Request request = new Request("CONNECT", "example.com:443", HttpVersion.HTTP_1_1, Headers.of("Host", "example.com:443"), new byte[0]);
        request.setDestination(new Destination("tcp", "example.com", 443, ""));
        LiveFlow flow = new LiveFlow(3, new InetSocketAddress("127.0.0.1", 50123), STARTED, 0, request);
        flow.setResponse(new Response(HttpVersion.HTTP_1_1, 200, "Connection established", new Headers(), new byte[0]));
        flow.addBytesToClient(2048);
        flow.complete(250_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 CONNECT example.com:443 200 2.0k 250ms\n", format(flow, false, false));
    }

    @Test
    void writesNoEscapeCodesWithoutColours() {
        LiveFlow ok = get("http://example.com/");
        respond(ok, 200, "OK", "x");
        ok.complete(ok.startNanos() + 1);
        LiveFlow failed = get("http://example.com/");
        failed.fail(new FlowError(FlowError.Kind.DNS, "cannot resolve host example.com"), failed.startNanos() + 1);

        for (LiveFlow flow : List.of(ok, failed)) {
            assertFalse(format(flow, false, true).contains("\u001b"));
            assertTrue(format(flow, true, true).contains("\u001b["), "colours on do colour");
        }
    }

    @Test
    void listsRequestAndResponseFieldsWhenVerbose() {
        Request request = new Request("GET", "http://example.com/a", HttpVersion.HTTP_1_1,
                Headers.of("Host", "example.com", "Accept", "*/*"), new byte[0]);
        request.setDestination(new Destination("http", "example.com", 80, "/a"));
        LiveFlow flow = new LiveFlow(1, new InetSocketAddress("127.0.0.1", 50123), STARTED, 0, request);
        flow.setUpstream("93.184.216.34:80", true);
        Response response = new Response(HttpVersion.HTTP_1_1, 404, "Not Found", Headers.of("Content-Length", "0"), new byte[0]);
        flow.setResponse(response);
        flow.complete(2_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://example.com/a 404 0b 2.0ms [upstream reused]\n"
                + "    > GET http://example.com/a HTTP/1.1\n"
                + "    > Host: example.com\n"
                + "    > Accept: */*\n"
                + "    < HTTP/1.1 404 Not Found\n"
                + "    < Content-Length: 0\n", format(flow, false, true));
    }

    @Test
    void namesTheRulesThatChangedTheExchangeAtTheEnd() {
        LiveFlow flow = get("http://api.example.com/items");
        flow.addAppliedRule("add-auth");
        flow.addAppliedRule("staging");
        respond(flow, 200, "OK", "[]");
        flow.complete(flow.startNanos() + 3_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://api.example.com/items 200 2b 3.0ms [rules: add-auth, staging]\n",
                format(flow, false, false));
    }

    @Test
    void showsARuleAnswerWithItsStatusAndTheRule() {
        LiveFlow flow = get("http://ads.example.com/banner.js");
        flow.addAppliedRule("no-ads");
        respond(flow, 403, "Forbidden", "wiretap: blocked by a rule\n");
        flow.complete(flow.startNanos() + 1_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://ads.example.com/banner.js 403 27b 1.0ms [rules: no-ads]\n",
                format(flow, false, false));
    }

    @Test
    void saysDroppedForAConnectionARuleDropped() {
        LiveFlow flow = get("http://tracker.example.com/pixel");
        flow.addAppliedRule("no-tracker");
        flow.fail(new FlowError(FlowError.Kind.BLOCKED, "dropped by rule no-tracker"), flow.startNanos() + 1_000_000);

        assertEquals(TIME + " 127.0.0.1:50123 GET http://tracker.example.com/pixel --- 0b 1.0ms dropped [rules: no-tracker]\n",
                format(flow, false, false));
    }

    @Test
    void printsFinishedFlowsAndNoticesInOrderFromItsOwnThread() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FlowLog log = new FlowLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, false);
        LiveFlow first = get("http://example.com/1");
        respond(first, 200, "OK", "one");
        first.complete(first.startNanos() + 1_000_000);
        LiveFlow second = get("http://example.com/2");
        second.fail(new FlowError(FlowError.Kind.UPSTREAM_TIMEOUT, "origin example.com:80 did not answer"), second.startNanos() + 1_000_000);

        log.start(id -> java.util.Optional.empty());
        log.onEvent(new FlowEvent.Requested(first)); // not finished: no line
        log.onEvent(new FlowEvent.Responded(first));
        log.onEvent(new FlowEvent.Completed(first));
        log.onEvent(new FlowEvent.Failed(second));
        log.printNotice("wiretap stopped.");
        log.stop();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("GET http://example.com/1 200 3b"), lines.get(0));
        assertTrue(lines.get(1).contains("GET http://example.com/2 --- 0b 1.0ms origin example.com:80 did not answer"), lines.get(1));
        assertEquals("wiretap stopped.", lines.get(2));
    }

    @Test
    void aFilterDecidesOnTheWritersThreadOverTheDecodedBody() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow plain = record(proxy, origin.url("/plain"));
            Flow gzipped = record(proxy, origin.url("/coded/gzip"));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            FlowLog log = new FlowLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err, false, false,
                    LogFormat.TEXT, Filter.parse("resbody:needle"));
            List<String> lookedUpOn = new java.util.concurrent.CopyOnWriteArrayList<>();
            log.start(id -> {
                lookedUpOn.add(Thread.currentThread().getName());
                return proxy.wiretap().history().get(id);
            });

            // The test's thread plays the connection that finished the flows.
            log.onEvent(new FlowEvent.Completed(plain));
            log.onEvent(new FlowEvent.Completed(gzipped));
            log.stop();

            List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), lines::toString);
            assertTrue(lines.get(0).contains(origin.url("/coded/gzip")), lines.get(0));
            assertEquals(List.of("wiretap-log", "wiretap-log"), lookedUpOn);
        }
    }

    @Test
    void makesControlCharactersFromFlowsAndFilesVisibleButInert() {
        // C1 bytes are obs-text on the wire (a field value may hold them) and U+0080-U+009F once read: CSI is U+009B.
        LiveFlow flow = get("http://example.com/x");
        flow.request().headers().add("X-Evil", "a\u009b2Jb");
        flow.addAppliedRule("rule\u001b]0;pwned\u0007");
        respond(flow, 502, "Bad\u0085Gateway", "");
        flow.fail(new FlowError(FlowError.Kind.UPSTREAM_PROTOCOL, "origin said \u001b[2J\u007f abc\u202edef"), flow.startNanos() + 1_000_000);

        String text = format(flow, false, true);

        String inert = text.replace("\n", "");
        assertTrue(inert.codePoints().noneMatch(dev.wiretap.cli.view.TerminalText::actsOnTerminal), text);
        assertTrue(text.contains(" origin said ^[[2J^? abc<U+202E>def [rules: rule^[]0;pwned^G]\n"), text);
        assertTrue(text.contains("    > X-Evil: a<U+009B>2Jb\n"), text);
        assertTrue(text.contains("    < HTTP/1.1 502 Bad<U+0085>Gateway\n"), text);
    }

    @Test
    void makesANoticeQuotingAFileVisibleButInert() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FlowLog log = new FlowLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, false);
        log.start(id -> java.util.Optional.empty());

        log.printNotice("wiretap: config not reloaded: config.yaml:3: rules[1].name: '\u001b[31mred'\nsecond line");
        log.stop();

        assertEquals("wiretap: config not reloaded: config.yaml:3: rules[1].name: '^[[31mred'\nsecond line\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void boundsWhatWaitsForAStalledOutputByBytesAndSaysHowManyExchangesWentUnshown() throws Exception {
        StalledOutput stalled = new StalledOutput();
        FlowLog log = new FlowLog(new PrintStream(stalled, false, StandardCharsets.UTF_8), false, true); // -v
        log.start(id -> java.util.Optional.empty());
        int sent = 1_000;
        String big = "x".repeat(64 * 1024); // a field near the header limit: 1,000 such lines hold 64 MiB or more
        for (int i = 0; i < sent; i++) {
            LiveFlow flow = get("http://example.com/" + i);
            flow.request().headers().add("X-Big", big);
            respond(flow, 200, "OK", "");
            flow.complete(flow.startNanos() + 1_000_000);
            log.onEvent(new FlowEvent.Completed(flow));
        }

        stalled.release();
        log.stop();

        String text = stalled.text();
        long shown = text.lines().filter(l -> l.contains(" GET http://example.com/") && !l.startsWith(" ")).count();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.\\.\\. (\\d+) exchanges not shown \\(output could not keep up\\)")
                .matcher(text);
        long unshown = 0;
        while (m.find()) {
            unshown += Long.parseLong(m.group(1));
        }
        assertTrue(unshown > 0, "nothing was dropped: the queue held " + shown + " lines of 64k");
        assertEquals(sent, shown + unshown, "every exchange is either logged or counted");
        assertTrue(shown * big.length() <= 16L * 1024 * 1024 + 2 * big.length(), shown + " lines of 64k waited");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Standard output nobody reads: the first write blocks until {@link #release}; everything is kept. */
    private static final class StalledOutput extends java.io.OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

        @Override
        public void write(int b) throws java.io.IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            try {
                released.await();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            synchronized (bytes) {
                bytes.write(b, off, len);
            }
        }

        void release() {
            released.countDown();
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static String format(LiveFlow flow, boolean colours, boolean verbose) {
        StringBuilder sb = new StringBuilder();
        new FlowLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), colours, verbose).format(flow, sb);
        return sb.toString();
    }

    /** GETs {@code url} through wiretap and returns its flow as the store holds it. */
    private static Flow record(ProxyUnderTest proxy, String url) throws Exception {
        proxy.httpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        return proxy.wiretap().history().get(proxy.nextFinishedFlow().id()).orElseThrow();
    }

    private static LiveFlow get(String url) {
        Request request = new Request("GET", url, HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        java.net.URI uri = java.net.URI.create(url);
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        request.setDestination(new Destination(uri.getScheme(), uri.getHost(), port, path));
        return new LiveFlow(1, new InetSocketAddress("127.0.0.1", 50123), STARTED, 1_000_000_000L, request);
    }

    private static void respond(LiveFlow flow, int status, String reason, String body) {
        Response response = new Response(HttpVersion.HTTP_1_1, status, reason, new Headers(), new byte[0]);
        response.setBody(Body.of(body.getBytes(StandardCharsets.UTF_8)));
        flow.setResponse(response);
    }
}
