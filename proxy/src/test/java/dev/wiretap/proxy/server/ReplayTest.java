package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replay end to end: a recorded request goes to its origin again as a new flow, through the same road as a client's
 * (rules, pool, TLS to https origins), recorded and published, optionally edited first; requests that cannot be
 * sent again faithfully are refused with a reason.
 */
class ReplayTest {

    /** Answers each request with its request line, then its body. */
    static final TestOrigin.Handler ECHO = HttpsInterceptionTest.ECHO;

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("replay test CA");

    private static Flow post(ProxyUnderTest proxy, TestOrigin origin, String path, String body) throws Exception {
        try (RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nX-Test: original\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(200, client.readResponse().status());
        }
        return proxy.nextFinishedFlow();
    }

    @Test
    void aReplayReachesTheOriginAgainAsANewRecordedFlow() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow original = post(proxy, origin, "/orders?id=7", "{\"qty\": 2}");
            String firstHead = origin.takeHead();

            Flow replayed = proxy.wiretap().replay(original, Optional.empty()).get(5, TimeUnit.SECONDS);

            String againHead = origin.takeHead();
            assertEquals(Heads.startLine(firstHead), Heads.startLine(againHead));
            assertEquals("original", Heads.value(againHead, "X-Test"));
            assertNotEquals(original.id(), replayed.id());
            assertEquals(original.id(), replayed.replayOf().orElseThrow());
            assertEquals(Flow.State.COMPLETED, replayed.state());
            assertEquals("POST /orders?id=7 HTTP/1.1\n{\"qty\": 2}",
                    replayed.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            Flow stored = proxy.wiretap().history().get(replayed.id()).orElseThrow();
            assertEquals(original.id(), stored.replayOf().orElseThrow(), "the store keeps what it replays");
            FlowEvent.Requested requested = proxy.nextEvent(FlowEvent.Requested.class);
            assertEquals(replayed.id(), requested.flow().id(), "published like any flow");
        }
    }

    @Test
    void aStoredFlowCanBeReplayedMoreThanOnce() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            long id = post(proxy, origin, "/again", "x").id();
            Flow stored = proxy.wiretap().history().get(id).orElseThrow();

            Flow first = proxy.wiretap().replay(stored, Optional.empty()).get(5, TimeUnit.SECONDS);
            Flow second = proxy.wiretap().replay(stored, Optional.empty()).get(5, TimeUnit.SECONDS);

            assertNotEquals(first.id(), second.id());
            assertEquals(id, second.replayOf().orElseThrow());
            for (int i = 0; i < 3; i++) {
                assertTrue(origin.takeHead().startsWith("POST /again HTTP/1.1"), "three requests reached the origin");
            }
        }
    }

    @Test
    void anEditedReplaySendsTheEditedRequest() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow original = post(proxy, origin, "/v1/items", "old");
            origin.takeHead();
            HttpMessageText text = proxy.wiretap().messageText();
            String shown = text.request(original.request(), !original.request().body().isTruncated());
            EditedRequest edit = text.parseRequest(shown.replace("/v1/items", "/v2/items").replace("X-Test: original", "X-Test: edited")
                    .replace("\n\nold\n", "\n\nbrand new\n"));

            Flow replayed = proxy.wiretap().replay(original, Optional.of(edit)).get(5, TimeUnit.SECONDS);

            String head = origin.takeHead();
            assertEquals("edited", Heads.value(head, "X-Test"));
            assertEquals("9", Heads.value(head, "Content-Length"));
            assertEquals("POST /v2/items HTTP/1.1\nbrand new", replayed.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void anInterceptedHttpsFlowIsReplayedOverTlsToItsOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.httpsUrl("/secure?x=1")))
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            Flow original = proxy.nextFinishedFlow();
            while (original.request().isMethod("CONNECT")) {
                original = proxy.nextFinishedFlow(); // the tunnel's flow: the request inside it is a flow of its own
            }
            assertEquals("https://127.0.0.1:" + origin.port() + "/secure?x=1", original.request().url());
            origin.takeHead();

            Flow replayed = proxy.wiretap().replay(original, Optional.empty()).get(10, TimeUnit.SECONDS);

            assertTrue(origin.takeHead().startsWith("POST /secure?x=1 HTTP/1.1"));
            assertEquals("https", replayed.request().destination().orElseThrow().scheme());
            assertEquals(original.request().url(), replayed.request().url());
            assertEquals("POST /secure?x=1 HTTP/1.1\npayload", replayed.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertEquals(original.id(), replayed.replayOf().orElseThrow());
        }
    }

    @Test
    void aReplayTakesTheSameRoadAsAClientsRequestSoTheInterceptCanPauseIt() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow original = post(proxy, origin, "/paused", "x");
            proxy.wiretap().intercept().setFilter(Filter.parse("path:/paused"), false);

            var replay = proxy.wiretap().replay(original, Optional.empty());
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertEquals(original.id(), paused.replayOf().orElseThrow());
            proxy.wiretap().intercept().resume(paused.id());

            assertEquals(200, replay.get(5, TimeUnit.SECONDS).response().orElseThrow().status());
        }
    }

    @Test
    void aRequestWhoseBodyTheCaptureCapCutOffIsRefused() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(16)))) {
            Flow original = post(proxy, origin, "/big", "z".repeat(100));

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> proxy.wiretap().replay(original, Optional.empty()));

            assertTrue(e.getMessage().contains("was 100 bytes but only the first 16 were kept (capture.max_body)"), e.getMessage());
            EditedRequest ownBody = EditedRequest.withBody("POST", original.request().url(), original.request().headers(),
                    "small".getBytes(StandardCharsets.UTF_8));
            origin.takeHead();
            Flow replayed = proxy.wiretap().replay(original, Optional.of(ownBody)).get(5, TimeUnit.SECONDS);
            assertEquals(200, replayed.response().orElseThrow().status());
            assertEquals("5", Heads.value(origin.takeHead(), "Content-Length"));
        }
    }

    @Test
    void aTunnelAndAFlowStillInFlightAreRefused() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("CONNECT " + origin.authority() + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertTrue(client.readHead().startsWith("HTTP/1.1 200"));
            Flow tunnel = proxy.nextEvent(FlowEvent.Requested.class).flow();

            IllegalArgumentException connect = assertThrows(IllegalArgumentException.class,
                    () -> proxy.wiretap().replay(tunnel, Optional.empty()));
            assertTrue(connect.getMessage().contains("CONNECT tunnel"), connect.getMessage());

            try (RawClient other = proxy.rawClient()) {
                proxy.wiretap().intercept().setFilter(Filter.ALL, false);
                other.send("GET " + origin.url("/wait") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
                Flow inFlight = proxy.nextEvent(FlowEvent.Paused.class).flow();
                IllegalArgumentException busy = assertThrows(IllegalArgumentException.class,
                        () -> proxy.wiretap().replay(inFlight, Optional.empty()));
                assertTrue(busy.getMessage().contains("still in flight"), busy.getMessage());
                proxy.wiretap().intercept().resume(inFlight.id());
            }
        }
    }
}
