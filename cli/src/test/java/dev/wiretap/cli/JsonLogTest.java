package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The headless log's JSON format and its filter, through the log's own writer thread. */
class JsonLogTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2025-03-04T10:11:12.345Z");

    @Test
    void writesOneJsonObjectPerExchangeWithTheDocumentedFields() throws Exception {
        LiveFlow ok = get(1, "http://example.com/page?q=1");
        respond(ok, 200, "OK", "hello", "Content-Type", "text/plain");
        ok.setUpstream("93.184.216.34:80", false);
        ok.setDnsNanos(1_500_000);
        ok.setSendNanos(250_000);
        ok.addAppliedRule("add-debug-header");
        ok.complete(ok.startNanos() + 12_345_678);
        LiveFlow failed = get(2, "http://127.0.0.1:1/");
        failed.fail(new FlowError(FlowError.Kind.CONNECT, "connection refused by 127.0.0.1:1"), failed.startNanos() + 1_000_000);

        Output output = log(false, Filter.ALL, ok, failed);

        assertEquals(2, output.stdout.size(), output.stdout::toString);
        JsonNode first = MAPPER.readTree(output.stdout.get(0));
        assertEquals(MAPPER.readTree("""
                {"id":1,"started":"2025-03-04T10:11:12.345Z","client":"127.0.0.1:50123","method":"GET",
                 "url":"http://example.com/page?q=1","httpVersion":"HTTP/1.1","status":200,"reason":"OK",
                 "contentType":"text/plain","requestBytes":0,"responseBytes":5,"durationMs":12.346,
                 "timings":{"dns":1.5,"connect":null,"ssl":null,"send":0.25,"wait":null,"receive":null},
                 "upstream":"new","server":"93.184.216.34:80","rules":["add-debug-header"],"error":null}"""), first);
        JsonNode second = MAPPER.readTree(output.stdout.get(1));
        assertTrue(second.get("status").isNull());
        assertEquals("CONNECT", second.at("/error/kind").asText());
        assertEquals("connection refused by 127.0.0.1:1", second.at("/error/message").asText());
        assertEquals(List.of("wiretap stopped."), output.stderr, "notices go to standard error");
    }

    @Test
    void writesTheTlsHandshakeAsSslAndWithinConnect() throws Exception {
        LiveFlow flow = get(4, "https://example.com/");
        respond(flow, 200, "OK", "");
        flow.setUpstream("93.184.216.34:443", false);
        flow.setConnectNanos(3_000_000);
        flow.setSslNanos(2_500_000);
        flow.complete(flow.startNanos() + 9_000_000);

        JsonNode timings = MAPPER.readTree(log(false, Filter.ALL, flow).stdout.get(0)).get("timings");

        assertEquals(MAPPER.readTree("{\"dns\":null,\"connect\":5.5,\"ssl\":2.5,\"send\":null,\"wait\":null,\"receive\":null}"),
                timings);
    }

    @Test
    void addsTheFieldsInOrderWhenVerbose() throws Exception {
        LiveFlow flow = get(3, "http://example.com/");
        flow.request().headers().add("Accept", "*/*").add("X-Dup", "1").add("X-Dup", "2");
        respond(flow, 204, "No Content", "");
        flow.complete(flow.startNanos() + 1000);

        JsonNode line = MAPPER.readTree(log(true, Filter.ALL, flow).stdout.get(0));

        assertEquals(MAPPER.readTree("[[\"Accept\",\"*/*\"],[\"X-Dup\",\"1\"],[\"X-Dup\",\"2\"]]"), line.get("requestHeaders"));
        assertEquals(MAPPER.readTree("[[\"Content-Length\",\"0\"]]"), line.get("responseHeaders"));
    }

    @Test
    void logsOnlyTheExchangesTheFilterSelects() {
        LiveFlow keep = get(1, "http://api.example.com/keep");
        respond(keep, 500, "Internal Server Error", "oops");
        keep.complete(keep.startNanos() + 1000);
        LiveFlow drop = get(2, "http://api.example.com/drop");
        respond(drop, 200, "OK", "fine");
        drop.complete(drop.startNanos() + 1000);

        Output output = log(false, Filter.parse("status:5xx"), keep, drop);

        assertEquals(1, output.stdout.size(), output.stdout::toString);
        assertTrue(output.stdout.get(0).contains("\"url\":\"http://api.example.com/keep\""), output.stdout.get(0));
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void escapesEveryCharacterATerminalWouldActOnSoThatALineIsInertAndItsValuesExact() throws Exception {
        LiveFlow flow = get(1, "http://example.com/");
        flow.addAppliedRule("rule\u001b]0;pwned\u0007\u007f\u202e");
        respond(flow, 200, "O\u009bK", "", "X-Evil", "a\u0085b");
        flow.complete(flow.startNanos() + 1_000_000);

        Output output = log(true, Filter.ALL, flow);

        String line = output.stdout.get(0);
        assertTrue(line.codePoints().noneMatch(dev.wiretap.cli.view.TerminalText::actsOnTerminal), line);
        assertTrue(line.contains("\"reason\":\"O\\u009bK\""), line);
        JsonNode record = MAPPER.readTree(line);
        assertEquals("O\u009bK", record.get("reason").asText());
        assertEquals("rule\u001b]0;pwned\u0007\u007f\u202e", record.at("/rules/0").asText());
        assertEquals("a\u0085b", record.at("/responseHeaders/0/1").asText());
    }

    private record Output(List<String> stdout, List<String> stderr) {
    }

    private static Output log(boolean verbose, Filter filter, Flow... flows) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        FlowLog log = new FlowLog(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                true, verbose, LogFormat.JSON, filter);
        log.start(id -> java.util.Arrays.stream(flows).filter(f -> f.id() == id).findFirst());
        for (Flow flow : flows) {
            log.onEvent(flow.error().isPresent() ? new FlowEvent.Failed(flow) : new FlowEvent.Completed(flow));
        }
        log.stop();
        log.printNotice("wiretap stopped.");
        return new Output(out.toString(StandardCharsets.UTF_8).lines().toList(), err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    private static LiveFlow get(long id, String url) {
        Request request = new Request("GET", url, HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
        java.net.URI uri = java.net.URI.create(url);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        request.setDestination(new Destination("http", uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), path));
        return new LiveFlow(id, new InetSocketAddress("127.0.0.1", 50123), STARTED, System.nanoTime(), request);
    }

    private static void respond(LiveFlow flow, int status, String reason, String body, String... fields) {
        Headers headers = Headers.of(fields);
        headers.add("Content-Length", Integer.toString(body.length()));
        Response response = new Response(HttpVersion.HTTP_1_1, status, reason, headers, new byte[0]);
        response.setBody(Body.of(body.getBytes(StandardCharsets.UTF_8)));
        flow.setResponse(response);
    }
}
