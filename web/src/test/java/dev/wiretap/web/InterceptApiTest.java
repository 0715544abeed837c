package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The intercept through the JSON API, over real traffic through a real wiretap: setting the filter (a fault answered
 * with its column), the flows waiting with their time left, a paused message as the console's editor text, an edit
 * checked whole (a mistake changes nothing and names its line), resume, resume all and drop, a response paused and
 * edited, and the event stream telling of each change.
 */
class InterceptApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebUnderTest wiretap;
    private TestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        wiretap = WebUnderTest.start();
        origin = TestOrigin.start(EchoHandler.named("echo"));
    }

    @AfterEach
    void stop() throws Exception {
        wiretap.close();
        origin.close();
    }

    private JsonNode call(String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = wiretap.api(method, path, body);
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** A POST through the proxy on a thread of its own (it waits while paused): the raw response, or the failure. */
    private CompletableFuture<RawClient.Response> post(String path, String body) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawClient client = new RawClient(wiretap.wiretap().address())) {
                client.send("POST " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nX-Test: original\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                return client.readResponse();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    }

    /** The intercept's state once {@code count} flows wait. */
    private JsonNode awaitPaused(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode state = call("GET", "/api/intercept", null, 200);
            if (state.get("paused").size() == count) {
                return state;
            }
            assertTrue(System.nanoTime() < deadline, "not " + count + " paused within 10 s: " + state);
            Thread.sleep(10);
        }
    }

    @Test
    void pausesWhatTheFilterSelectsAndAnEditedHeaderReachesTheOriginOnResume() throws Exception {
        JsonNode set = call("PUT", "/api/intercept", "{\"filter\": \"path:/held\", \"responses\": false}", 200);
        assertEquals("path:/held", set.get("filter").asText());
        assertEquals(false, set.get("responses").asBoolean());
        assertEquals(300_000, set.get("timeoutMs").asLong());

        CompletableFuture<RawClient.Response> client = post("/held", "hello");
        JsonNode paused = awaitPaused(1).get("paused").get(0);
        long id = paused.get("id").asLong();
        assertEquals("request", paused.get("side").asText());
        assertTrue(paused.get("remainingMs").asLong() > 290_000 && paused.get("remainingMs").asLong() <= 300_000, paused.toString());
        assertEquals(true, paused.get("bodyEditable").asBoolean());
        assertEquals("paused", paused.get("row").get("state").asText());
        assertEquals(null, origin.pollHead(100), "nothing went to the origin while paused");

        JsonNode text = call("GET", "/api/flows/" + id + "/edit", null, 200);
        String message = text.get("text").asText();
        assertTrue(message.startsWith("POST " + origin.url("/held") + " HTTP/1.1\n"), message);
        assertTrue(message.contains("\nX-Test: original\n") && message.endsWith("\n\nhello\n"), message);

        JsonNode saved = call("PUT", "/api/flows/" + id + "/edit", message.replace("X-Test: original", "X-Test: edited")
                .replace("\n\nhello\n", "\n\nhello, edited\n"), 200);
        assertEquals(id, saved.get("edited").asLong());
        assertEquals(true, awaitPaused(1).get("paused").get(0).get("edited").asBoolean());
        call("POST", "/api/flows/" + id + "/resume", null, 200);

        String head = origin.takeHead();
        assertEquals("edited", Heads.value(head, "X-Test"));
        assertEquals("13", Heads.value(head, "Content-Length"));
        RawClient.Response response = client.get(10, TimeUnit.SECONDS);
        assertEquals(200, response.status());
        assertEquals("POST /held HTTP/1.1\nhello, edited", new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, awaitPaused(0).get("paused").size());
    }

    @Test
    void aMistakeInTheEditedTextNamesItsLineAndChangesNothing() throws Exception {
        call("PUT", "/api/intercept", "{\"filter\": \"path:/mistake\"}", 200);
        CompletableFuture<RawClient.Response> client = post("/mistake", "x");
        long id = awaitPaused(1).get("paused").get(0).get("id").asLong();
        String message = call("GET", "/api/flows/" + id + "/edit", null, 200).get("text").asText();

        String broken = message.replace("X-Test: original", "X-Test: edited").replace("Content-Type: text/plain", "Content-Type text/plain");
        JsonNode error = call("PUT", "/api/flows/" + id + "/edit", broken, 400);
        int line = (int) broken.lines().takeWhile(l -> !l.startsWith("Content-Type text")).count() + 1;
        assertEquals(line, error.get("line").asInt());
        assertEquals("line " + line + ": 'Content-Type text/plain' is not a field (Name: value); an empty line must come before the body",
                error.get("error").asText());
        assertEquals(false, awaitPaused(1).get("paused").get(0).get("edited").asBoolean());

        call("POST", "/api/flows/" + id + "/resume", null, 200);
        assertEquals("original", Heads.value(origin.takeHead(), "X-Test"), "the broken edit changed nothing");
        assertEquals(200, client.get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void dropCutsTheClientOffAndResumeAllLetsEveryFlowGo() throws Exception {
        call("PUT", "/api/intercept", "{\"filter\": \"path:/many\"}", 200);
        CompletableFuture<RawClient.Response> dropped = post("/many/1", "a");
        long first = awaitPaused(1).get("paused").get(0).get("id").asLong();
        CompletableFuture<RawClient.Response> second = post("/many/2", "b");
        CompletableFuture<RawClient.Response> third = post("/many/3", "c");
        awaitPaused(3);

        assertEquals(first, call("POST", "/api/flows/" + first + "/drop", null, 200).get("dropped").asLong());
        assertTrue(dropped.handle((r, e) -> e != null || r == null).get(10, TimeUnit.SECONDS), "the dropped client got an answer");
        Flow flow = awaitEnded(first);
        assertEquals(FlowError.Kind.DROPPED, flow.error().orElseThrow().kind());

        assertEquals(2, call("POST", "/api/intercept/resume-all", null, 200).get("resumed").asInt());
        assertEquals(200, second.get(10, TimeUnit.SECONDS).status());
        assertEquals(200, third.get(10, TimeUnit.SECONDS).status());

        JsonNode gone = call("POST", "/api/flows/" + first + "/resume", null, 409);
        assertEquals("flow " + first + " is not paused (none is)", gone.get("error").asText());
        assertEquals("flow 999 is not held", call("POST", "/api/flows/999/drop", null, 404).get("error").asText());
        assertEquals(409, wiretap.api("GET", "/api/flows/" + first + "/edit", null).statusCode());
    }

    @Test
    void aResponseIsPausedAndEditedWhenResponsesAreIntercepted() throws Exception {
        call("PUT", "/api/intercept", "{\"filter\": \"path:/answer\", \"responses\": true}", 200);
        CompletableFuture<RawClient.Response> client = post("/answer", "q");
        long id = awaitPaused(1).get("paused").get(0).get("id").asLong();
        call("POST", "/api/flows/" + id + "/resume", null, 200); // the request goes on; the response is paused next
        JsonNode paused = awaitPausedAt("response");
        assertEquals(id, paused.get("id").asLong());

        String message = call("GET", "/api/flows/" + id + "/edit", null, 200).get("text").asText();
        assertTrue(message.startsWith("HTTP/1.1 200 Whatever\n"), message);
        call("PUT", "/api/flows/" + id + "/edit", message.replace("HTTP/1.1 200 Whatever", "HTTP/1.1 418 Teapot"), 200);
        call("POST", "/api/flows/" + id + "/resume", null, 200);
        assertEquals(418, client.get(10, TimeUnit.SECONDS).status());
    }

    @Test
    void aCompressedResponseOpensDecodedAndIsCompressedAgainOnSave() throws Exception {
        try (TestOrigin coded = dev.wiretap.proxy.testing.CodedOrigin.start()) {
            call("PUT", "/api/intercept", "{\"filter\": \"path:/coded/\", \"responses\": true}", 200);
            CompletableFuture<java.net.http.HttpResponse<byte[]>> client = wiretap.proxyClient().sendAsync(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(coded.url("/coded/gzip"))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            long id = awaitPaused(1).get("paused").get(0).get("id").asLong();
            call("POST", "/api/flows/" + id + "/resume", null, 200);
            awaitPausedAt("response");

            String message = call("GET", "/api/flows/" + id + "/edit", null, 200).get("text").asText();
            assertTrue(message.contains("\n\n" + dev.wiretap.proxy.testing.CodedOrigin.JSON + "\n"), "opens decoded: " + message);
            call("PUT", "/api/flows/" + id + "/edit", message.replace("\"Ada\"", "\"Grace\""), 200);
            call("POST", "/api/flows/" + id + "/resume", null, 200);

            java.net.http.HttpResponse<byte[]> response = client.get(10, TimeUnit.SECONDS);
            assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElse(""));
            byte[] body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body())).readAllBytes();
            assertEquals(dev.wiretap.proxy.testing.CodedOrigin.JSON.replace("\"Ada\"", "\"Grace\""),
                    new String(body, java.nio.charset.StandardCharsets.UTF_8), "compressed again with the codings named");
        }
    }

    @Test
    void aBadOrMissingFilterIs400AndOffPausesNothingMore() throws Exception {
        JsonNode bad = call("PUT", "/api/intercept", "{\"filter\": \"hots:a\"}", 400);
        assertEquals("filter", bad.get("parameter").asText());
        assertEquals(1, bad.get("column").asInt());
        assertTrue(bad.get("error").asText().startsWith("invalid filter: column 1: unknown field 'hots'"), bad.toString());
        assertTrue(call("PUT", "/api/intercept", "{\"filter\": \" \"}", 400).get("error").asText().startsWith("filter must be"));
        String notJson = call("PUT", "/api/intercept", "x", 400).get("error").asText();
        assertTrue(notJson.startsWith("the request body is not JSON: Unrecognized token 'x'"), notJson);
        assertEquals("responses must be true or false",
                call("PUT", "/api/intercept", "{\"filter\": \"host:*\", \"responses\": \"yes\"}", 400).get("error").asText());

        call("PUT", "/api/intercept", "{\"filter\": \"host:*\"}", 200);
        JsonNode off = call("DELETE", "/api/intercept", null, 200);
        assertTrue(off.get("filter").isNull());
        assertEquals(200, wiretap.getThroughProxy(origin.url("/not-paused")).statusCode());
    }

    @Test
    void theEventStreamTellsWhenAFlowPausesAndGoesOn() throws Exception {
        FlowsApiTest.EventLines events = FlowsApiTest.EventLines.open(wiretap, "");
        events.await("event: hello");
        call("PUT", "/api/intercept", "{\"filter\": \"path:/told\"}", 200);
        JsonNode set = awaitIntercept(events, s -> s.get("filter").asText().equals("path:/told"));
        assertEquals(0, set.get("paused").size());

        CompletableFuture<RawClient.Response> client = post("/told", "t");
        JsonNode paused = awaitIntercept(events, s -> s.get("paused").size() == 1);
        long id = paused.get("paused").get(0).get("id").asLong();
        call("POST", "/api/flows/" + id + "/resume", null, 200);
        awaitIntercept(events, s -> s.get("paused").isEmpty());
        assertEquals(200, client.get(10, TimeUnit.SECONDS).status());
        events.close();
    }

    private static JsonNode awaitIntercept(FlowsApiTest.EventLines events, java.util.function.Predicate<JsonNode> test) throws Exception {
        while (true) {
            events.await("event: intercept");
            JsonNode state = JSON.readTree(events.await("data: ").substring(6));
            if (test.test(state)) {
                return state;
            }
        }
    }

    private JsonNode awaitPausedAt(String side) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (JsonNode p : call("GET", "/api/intercept", null, 200).get("paused")) {
                if (p.get("side").asText().equals(side)) {
                    return p;
                }
            }
            assertTrue(System.nanoTime() < deadline, "nothing paused at the " + side + " within 10 s");
            Thread.sleep(10);
        }
    }

    private Flow awaitEnded(long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Flow flow = wiretap.wiretap().history().get(id).orElseThrow();
            if (flow.isDone()) {
                return flow;
            }
            assertTrue(System.nanoTime() < deadline, "flow " + id + " did not end within 10 s");
            Thread.sleep(10);
        }
    }
}
