package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Respond and block through a running wiretap: answers made by rules, and connections dropped by them. */
class RespondAndBlockTest {

    @TempDir
    Path dir;

    @Test
    void respondsInlineWithTheRulesStatusFieldsAndBody() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: health mock
                         match: path:/health
                         respond:
                           status: 503
                           headers: {Content-Type: application/json, Retry-After: "30"}
                           body: '{"up": false}'
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://api.example.invalid/health"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(503, response.statusCode());
            assertEquals("{\"up\": false}", response.body());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("30", response.headers().firstValue("Retry-After").orElseThrow());
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, flow.state());
            assertEquals(List.of("health mock"), flow.appliedRules());
            assertEquals(503, flow.response().orElseThrow().status());
        }
    }

    @Test
    void aNoContentAnswerHasNoBodyAndTheConnectionCarriesOn() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: path:/beacon
                         respond: {status: 204, body: ignored}
                       - match: path:/next
                         respond: {status: 200, body: next}
                     """));
             RawClient client = proxy.rawClient()) {
            client.send("GET http://api.example.invalid/beacon HTTP/1.1\r\nHost: api.example.invalid\r\n\r\n");
            String head = client.readHead();
            client.send("GET http://api.example.invalid/next HTTP/1.1\r\nHost: api.example.invalid\r\n\r\n");
            RawClient.Response next = client.readResponse();

            assertTrue(head.startsWith("HTTP/1.1 204 "), head);
            assertNull(Heads.value(head, "Content-Length"));
            assertEquals("next", next.bodyText(), "the 204 carried a body");
        }
    }

    @Test
    void blocksWithTheRulesStatusWithoutContactingTheOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("never");
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: no tracking
                         match: path:/track
                         block: 403
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> blocked = client.send(HttpRequest.newBuilder(URI.create(origin.url("/track?u=1")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> passed = client.send(HttpRequest.newBuilder(URI.create(origin.url("/page")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(403, blocked.statusCode());
            assertTrue(blocked.body().contains("blocked by a rule"), blocked.body());
            assertEquals("never", passed.body());
            assertEquals("GET /page HTTP/1.1", Heads.startLine(origin.takeHead()), "the blocked request reached the origin");
            assertEquals(List.of("no tracking"), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void blockDropDropsTheConnectionWithoutAnAnswer() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: drop ads
                         match: host:ads.example.invalid
                         block: drop
                     """));
             RawClient client = proxy.rawClient()) {
            client.send("GET http://ads.example.invalid/banner HTTP/1.1\r\nHost: ads.example.invalid\r\n\r\n");

            assertTrue(client.isClosedByPeer(), "the connection was not dropped");
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.FAILED, flow.state());
            assertEquals(FlowError.Kind.BLOCKED, flow.error().orElseThrow().kind());
            assertTrue(flow.error().orElseThrow().message().contains("drop ads"), flow.error().orElseThrow().message());
        }
    }

    @Test
    void blocksATunnelToABlockedHost() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:tracker.example.invalid
                         block: 451
                     """));
             RawClient client = proxy.rawClient()) {
            client.send("CONNECT tracker.example.invalid:443 HTTP/1.1\r\nHost: tracker.example.invalid:443\r\n\r\n");

            assertEquals(451, client.readResponse().status());
            assertEquals(List.of("rule 1"), proxy.nextFinishedFlow().appliedRules());
        }
    }
}
