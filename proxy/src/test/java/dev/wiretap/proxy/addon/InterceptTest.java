package dev.wiretap.proxy.addon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Intercept end to end, through a real proxy with real origins and clients: a selected request waits before
 * anything reaches the origin, a selected response waits before anything reaches the client, and the user's
 * resume, edit and drop decide what goes on.
 */
class InterceptTest {

    /** Answers each request with what it received: the request head, then the body (Content-Length or chunked). */
    static final TestOrigin.Handler MIRROR = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            byte[] body = Heads.isChunked(head) ? readChunked(conn.in()) : conn.readBody(head);
            byte[] answer = (head + new String(body, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + answer.length + "\r\n\r\n");
            conn.out().write(answer);
            conn.out().flush();
        }
    };

    private static String request(TestOrigin origin, String method, String path, String fields, String body) {
        return method + " " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n" + fields
                + (body.isEmpty() ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n" + body;
    }

    private static InterceptAddon intercept(ProxyUnderTest proxy, String filter, boolean responses) {
        InterceptAddon intercept = proxy.wiretap().intercept();
        intercept.setFilter(Filter.parse(filter), responses);
        return intercept;
    }

    @Test
    void aSelectedRequestWaitsAndTheOriginSeesNothingOfItUntilItIsResumed() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "path:/held", false);

            client.send(request(origin, "GET", "/held", "", ""));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();

            assertEquals(0, origin.connectionCount(), "nothing may reach the origin while the request waits");
            assertEquals(Optional.of(Flow.Side.REQUEST), paused.paused());
            List<PausedFlow> waiting = intercept.paused();
            assertEquals(1, waiting.size());
            assertEquals(paused.id(), waiting.get(0).flow().id());
            assertEquals(Flow.Side.REQUEST, waiting.get(0).side());
            assertTrue(waiting.get(0).bodyEditable());
            assertEquals(waiting.get(0).since().plus(Duration.ofMinutes(5)), waiting.get(0).deadline());

            assertTrue(intercept.resume(paused.id()));
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("ok", response.bodyText());
            assertTrue(origin.takeHead().startsWith("GET /held HTTP/1.1"));
            assertEquals(FlowEvent.Release.RESUMED, proxy.nextEvent(FlowEvent.Released.class).how());
            Flow done = proxy.nextFinishedFlow();
            assertTrue(done.notes().get(0).startsWith("intercepted at the request: resumed after"), done.notes().toString());
            assertTrue(done.paused().isEmpty());
            assertTrue(intercept.paused().isEmpty());
            assertFalse(intercept.resume(paused.id()), "a flow no longer waiting cannot be resumed again");
        }
    }

    @Test
    void requestsTheFilterDoesNotSelectGoStraightThrough() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            intercept(proxy, "path:/held", false);

            client.send(request(origin, "GET", "/free", "", ""));

            assertEquals(200, client.readResponse().status());
            assertTrue(proxy.drainEvents().stream().noneMatch(e -> e instanceof FlowEvent.Paused));
        }
    }

    @Test
    void anEditedRequestIsWhatTheOriginReceives() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "method:POST", false);
            HttpMessageText text = proxy.wiretap().messageText();

            client.send(request(origin, "POST", "/form", "X-Mood: calm\r\nContent-Type: text/plain\r\n", "name=old"));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            String shown = text.request(paused.request(), intercept.paused(paused.id()).orElseThrow().bodyEditable());
            assertTrue(shown.endsWith("\n\nname=old\n"), shown);
            String edited = shown.replace("POST http://" + origin.authority() + "/form", "PUT http://" + origin.authority() + "/changed?x=1")
                    .replace("X-Mood: calm", "X-Mood: edited").replace("name=old", "name=a much newer value");
            intercept.replaceRequest(paused.id(), text.parseRequest(edited));
            assertTrue(intercept.paused(paused.id()).orElseThrow().edited());
            assertEquals(0, origin.connectionCount(), "an edit does not resume");
            intercept.resume(paused.id());

            String atOrigin = client.readResponse().bodyText();
            assertTrue(atOrigin.startsWith("PUT /changed?x=1 HTTP/1.1\r\n"), atOrigin);
            assertEquals("edited", Heads.value(atOrigin, "X-Mood"));
            assertEquals(List.of("23"), Heads.values(atOrigin, "Content-Length"));
            assertTrue(atOrigin.endsWith("\r\n\r\nname=a much newer value"), atOrigin);
            Flow done = proxy.nextFinishedFlow();
            assertEquals("PUT", done.request().method());
            assertEquals("name=a much newer value", done.request().body().text(StandardCharsets.UTF_8));
            assertTrue(done.notes().get(0).endsWith(", edited"), done.notes().toString());
        }
    }

    @Test
    void aHeldRequestThatIsNotEditedGoesOnWithItsFieldsAsTheyCame() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "", false);

            client.send("POST " + origin.url("/as-is") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\ncontent-length: 4\r\nX-Last: 1\r\n\r\nbody");
            intercept.resume(proxy.nextEvent(FlowEvent.Paused.class).flow().id());

            String atOrigin = client.readResponse().bodyText();
            assertTrue(atOrigin.contains("\r\ncontent-length: 4\r\nX-Last: 1\r\n"), atOrigin);
            assertTrue(atOrigin.endsWith("\r\n\r\nbody"), atOrigin);
        }
    }

    @Test
    void anEditCanSendTheRequestToAnotherOrigin() throws Exception {
        try (TestOrigin first = TestOrigin.fixed("first"); TestOrigin second = TestOrigin.fixed("second");
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "", false);
            HttpMessageText text = proxy.wiretap().messageText();

            client.send(request(first, "GET", "/x", "", ""));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            intercept.replaceRequest(paused.id(), text.parseRequest(text.request(paused.request(), true)
                    .replace(first.authority() + "/x", second.authority() + "/y")));
            intercept.resume(paused.id());

            assertEquals("second", client.readResponse().bodyText());
            assertEquals(second.authority(), Heads.value(second.takeHead(), "Host"));
            assertEquals(0, first.connectionCount());
        }
    }

    @Test
    void aClientThatAwaitsContinueIsToldToSendItsBodyWhichThenWaits() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "method:POST", false);

            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertTrue(client.readHead().startsWith("HTTP/1.1 100 Continue"));
            client.send("hello");
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertEquals("hello", paused.request().body().text(StandardCharsets.UTF_8));
            intercept.resume(paused.id());

            String atOrigin = client.readResponse().bodyText();
            assertTrue(atOrigin.endsWith("\r\n\r\nhello"), atOrigin);
            assertTrue(Heads.values(atOrigin, "Expect").isEmpty(), "the body is in hand: the origin is not asked to wait");
        }
    }

    @Test
    void aBodyLargerThanTheCaptureCapIsNotHeldButItsHeadCanBeEditedAndItGoesOnWhole() throws Exception {
        String body = "b".repeat(1000);
        try (TestOrigin origin = TestOrigin.start(MIRROR);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(64)));
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "method:POST", false);
            HttpMessageText text = proxy.wiretap().messageText();

            client.send(request(origin, "POST", "/big", "X-A: 1\r\n", body));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            PausedFlow waiting = intercept.paused(paused.id()).orElseThrow();
            assertFalse(waiting.bodyEditable());
            String shown = text.request(paused.request(), waiting.bodyEditable());
            assertTrue(shown.contains("[[wiretap: body not held whole"), shown);

            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> intercept.replaceRequest(
                    paused.id(), text.parseRequest(shown.substring(0, shown.indexOf("[[")) + "new body\n")));
            assertTrue(refused.getMessage().contains("only the head can be edited"), refused.getMessage());
            IllegalArgumentException framing = assertThrows(IllegalArgumentException.class, () -> intercept.replaceRequest(
                    paused.id(), text.parseRequest(shown.replace("Content-Length: 1000", "Content-Length: 10"))));
            assertTrue(framing.getMessage().contains("Content-Length and Transfer-Encoding cannot change"), framing.getMessage());
            intercept.replaceRequest(paused.id(), text.parseRequest(shown.replace("X-A: 1", "X-A: 2")));
            intercept.resume(paused.id());

            String atOrigin = client.readResponse().bodyText();
            assertEquals("2", Heads.value(atOrigin, "X-A"));
            assertTrue(atOrigin.endsWith("\r\n\r\n" + body), "the body arrives whole and unchanged");
        }
    }

    @Test
    void aChunkedRequestBodyLargerThanTheCapGoesOnAsAValidChunkedBody() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(64)));
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "method:POST", false);

            client.send("POST " + origin.url("/chunks") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "28\r\n" + "a".repeat(40) + "\r\n28\r\n" + "b".repeat(40) + "\r\n28\r\n" + "c".repeat(40) + "\r\n0\r\n\r\n");
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertFalse(paused.hasWholeBody(Flow.Side.REQUEST));
            intercept.resume(paused.id());

            String atOrigin = client.readResponse().bodyText();
            assertTrue(atOrigin.endsWith("\r\n\r\n" + "a".repeat(40) + "b".repeat(40) + "c".repeat(40)), atOrigin);
            Flow done = proxy.nextFinishedFlow();
            assertEquals(120, done.request().body().size());
            assertEquals("a".repeat(40) + "b".repeat(24), done.request().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSelectedResponseWaitsAndAnEditIsWhatTheClientReceivesWithAFittingContentLength() throws Exception {
        TestOrigin.Handler chunked = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Origin: yes\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            }
        };
        try (TestOrigin origin = TestOrigin.start(chunked); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "status:200", true);
            HttpMessageText text = proxy.wiretap().messageText();

            client.send(request(origin, "GET", "/page", "", ""));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertEquals(Optional.of(Flow.Side.RESPONSE), paused.paused(), "the request had no status to match");
            assertTrue(origin.takeHead().startsWith("GET /page"));
            String shown = text.response(paused.response().orElseThrow(), true);
            assertTrue(shown.startsWith("HTTP/1.1 200 OK\n"), shown);
            assertTrue(shown.endsWith("\n\nhello world\n"), shown);
            assertThrows(IllegalStateException.class, () -> intercept.replaceRequest(paused.id(),
                    text.parseRequest("GET http://x/ HTTP/1.1\n")), "the request has gone");
            intercept.replaceResponse(paused.id(), text.parseResponse(shown.replace("200 OK", "201 Created")
                    .replace("X-Origin: yes", "X-Origin: edited").replace("hello world", "a different body")));
            intercept.resume(paused.id());

            RawClient.Response response = client.readResponse();
            assertEquals(201, response.status());
            assertEquals("edited", response.header("X-Origin"));
            assertEquals("16", response.header("Content-Length"));
            assertFalse(Heads.isChunked(response.head()), response.head());
            assertEquals("a different body", response.bodyText());
            Flow done = proxy.nextFinishedFlow();
            assertEquals(201, done.response().orElseThrow().status());
            assertTrue(done.notes().get(0).startsWith("intercepted at the response: resumed"), done.notes().toString());
            // The origin was done with before the pause: its connection serves the next request.
            intercept.clearFilter();
            client.send(request(origin, "GET", "/again", "", ""));
            assertEquals("hello world", client.readResponse().bodyText());
            assertEquals(1, origin.connectionCount());
        }
    }

    @Test
    void aResponseLargerThanTheCapCanHaveItsHeadEditedAndItsBodyArrivesWhole() throws Exception {
        StringBuilder wire = new StringBuilder();
        StringBuilder payload = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            String chunk = String.valueOf((char) ('a' + i)).repeat(100);
            wire.append("64\r\n").append(chunk).append("\r\n");
            payload.append(chunk);
        }
        wire.append("0\r\n\r\n");
        TestOrigin.Handler big = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.write("HTTP/1.1 200 OK\r\nX-Origin: yes\r\nTransfer-Encoding: chunked\r\n\r\n" + wire);
            }
        };
        try (TestOrigin origin = TestOrigin.start(big);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(64)));
             HttpClient client = proxy.httpClient()) {
            InterceptAddon intercept = intercept(proxy, "status:200", true);
            HttpMessageText text = proxy.wiretap().messageText();

            CompletableFuture<HttpResponse<String>> response = client.sendAsync(
                    HttpRequest.newBuilder(URI.create(origin.url("/big"))).build(), HttpResponse.BodyHandlers.ofString());
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertFalse(intercept.paused(paused.id()).orElseThrow().bodyEditable());
            String shown = text.response(paused.response().orElseThrow(), false);
            intercept.replaceResponse(paused.id(), text.parseResponse(shown.replace("X-Origin: yes", "X-Origin: edited")));
            intercept.resume(paused.id());

            HttpResponse<String> got = response.get(5, TimeUnit.SECONDS);
            assertEquals(200, got.statusCode());
            assertEquals("edited", got.headers().firstValue("X-Origin").orElseThrow());
            assertEquals(payload.toString(), got.body());
        }
    }

    @Test
    void aDroppedRequestCutsTheClientOffWithoutAResponseAndNothingReachesTheOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "", false);

            client.send(request(origin, "GET", "/doomed", "", ""));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertTrue(intercept.drop(paused.id()));

            assertTrue(client.isClosedByPeer());
            assertEquals(FlowEvent.Release.DROPPED, proxy.nextEvent(FlowEvent.Released.class).how());
            Flow done = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.DROPPED, done.error().orElseThrow().kind());
            assertTrue(done.error().orElseThrow().message().startsWith("dropped at the request by the user"),
                    done.error().orElseThrow().message());
            assertEquals(0, origin.connectionCount());
        }
    }

    @Test
    void aDroppedResponseCutsTheClientOff() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("secret"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "status:200", true);

            client.send(request(origin, "GET", "/x", "", ""));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            intercept.drop(paused.id());

            assertTrue(client.isClosedByPeer());
            Flow done = proxy.nextFinishedFlow();
            assertEquals(FlowError.Kind.DROPPED, done.error().orElseThrow().kind());
        }
    }

    @Test
    void resumeAllLetsEveryWaitingFlowGoWhileOtherConnectionsWereNeverBlocked() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            InterceptAddon intercept = intercept(proxy, "path:/held", false);
            List<RawClient> clients = new ArrayList<>();
            List<Long> order = new ArrayList<>();
            try {
                for (int i = 1; i <= 3; i++) {
                    RawClient client = proxy.rawClient();
                    clients.add(client);
                    client.send(request(origin, "GET", "/held/" + i, "", ""));
                    order.add(proxy.nextEvent(FlowEvent.Paused.class).flow().id());
                }

                try (RawClient other = proxy.rawClient()) {
                    other.send(request(origin, "GET", "/free", "", ""));
                    assertEquals(200, other.readResponse().status(), "a connection beside the paused ones is served");
                }
                assertEquals(order, intercept.paused().stream().map(p -> p.flow().id()).toList(), "listed in the order they paused");
                assertEquals(3, intercept.resumeAll());

                for (RawClient client : clients) {
                    assertEquals(200, client.readResponse().status());
                }
                assertTrue(intercept.paused().isEmpty());
            } finally {
                for (RawClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void pastTheLimitOnPausedFlowsAMatchGoesOnWithANoteSayingWhy() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxPaused(2)));
             RawClient first = proxy.rawClient(); RawClient second = proxy.rawClient(); RawClient third = proxy.rawClient();
             RawClient fourth = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "path:/held", false);
            first.send(request(origin, "GET", "/held/1", "", ""));
            long one = proxy.nextEvent(FlowEvent.Paused.class).flow().id();
            second.send(request(origin, "GET", "/held/2", "", ""));
            proxy.nextEvent(FlowEvent.Paused.class);

            third.send(request(origin, "GET", "/held/3", "", ""));

            assertEquals(200, third.readResponse().status(), "the third match went on without waiting");
            Flow unpaused = proxy.nextFinishedFlow();
            assertTrue(unpaused.request().url().endsWith("/held/3"), unpaused.toString());
            assertEquals(List.of("intercept: not paused, as 2 flows are paused already, the most capture.max_paused allows;"
                    + " it went on (resume or drop paused flows to make room)"), unpaused.notes());
            assertEquals(1, intercept.unpausedCount());
            assertEquals(Optional.of("2 flows are paused already, the most capture.max_paused allows"),
                    intercept.lastUnpausedReason());
            assertEquals(2, intercept.paused().size());

            assertTrue(intercept.resume(one));
            assertEquals(200, first.readResponse().status());
            fourth.send(request(origin, "GET", "/held/4", "", ""));
            assertTrue(proxy.nextEvent(FlowEvent.Paused.class).flow().request().url().endsWith("/held/4"),
                    "with room again, a match pauses");
            assertEquals(1, intercept.unpausedCount());
        }
    }

    @Test
    void pastTheBytesPausedFlowsMayHoldAMatchGoesOnWithANoteSayingWhy() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxPausedBytes(12)));
             RawClient first = proxy.rawClient(); RawClient second = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "method:POST", false);
            first.send(request(origin, "POST", "/a", "", "eight by"));
            Flow paused = proxy.nextEvent(FlowEvent.Paused.class).flow();
            assertEquals(8, intercept.pausedBytes());

            second.send(request(origin, "POST", "/b", "", "eight by"));

            RawClient.Response response = second.readResponse();
            assertEquals(200, response.status());
            assertTrue(response.bodyText().endsWith("eight by"), "the body went on whole: " + response.bodyText());
            Flow unpaused = proxy.nextFinishedFlow();
            assertEquals(List.of("intercept: not paused, as paused flows hold 8 bytes of bodies, and this one's 8 bytes would"
                    + " pass capture.max_paused_bytes (12 bytes); it went on (resume or drop paused flows to make room)"),
                    unpaused.notes());
            assertEquals(1, intercept.unpausedCount());
            assertTrue(intercept.resume(paused.id()));
            assertEquals(200, first.readResponse().status());
            proxy.nextEvent(FlowEvent.Released.class);
            assertEquals(0, intercept.pausedBytes(), "a resumed flow's body no longer counts");
        }
    }

    @Test
    void aFlowNobodyDecidesOnGoesOnUnchangedAfterTheTimeoutWithANote() throws Exception {
        try (TestOrigin origin = TestOrigin.start(MIRROR);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withIntercept(Duration.ofMillis(300))));
             RawClient client = proxy.rawClient()) {
            intercept(proxy, "path:/slow", false);

            client.send(request(origin, "POST", "/slow", "", "as sent"));
            proxy.nextEvent(FlowEvent.Paused.class);
            long pausedAt = System.nanoTime();
            RawClient.Response response = client.readResponse();
            long waitedMillis = (System.nanoTime() - pausedAt) / 1_000_000;

            assertEquals(200, response.status());
            assertTrue(response.bodyText().startsWith("POST /slow HTTP/1.1"));
            assertTrue(response.bodyText().endsWith("\r\n\r\nas sent"));
            assertTrue(waitedMillis >= 250, "went on after " + waitedMillis + " ms");
            assertEquals(FlowEvent.Release.TIMED_OUT, proxy.nextEvent(FlowEvent.Released.class).how());
            Flow done = proxy.nextFinishedFlow();
            assertEquals(List.of("intercepted at the request: nobody decided within the intercept timeout (0.3 s),"
                    + " so it went on as it stood, unchanged"), done.notes());
            assertEquals(done.notes(), proxy.wiretap().history().get(done.id()).orElseThrow().notes(), "the store keeps the note");
        }
    }

    @Test
    void stoppingWiretapDropsTheFlowsThatWait() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); RawClient client = startAndPause(origin)) {
            assertTrue(client.isClosedByPeer());
        }
    }

    private static RawClient startAndPause(TestOrigin origin) throws Exception {
        ProxyUnderTest proxy = ProxyUnderTest.start();
        intercept(proxy, "", false);
        RawClient client = proxy.rawClient();
        client.send(request(origin, "GET", "/x", "", ""));
        proxy.nextEvent(FlowEvent.Paused.class);
        proxy.close();
        Flow done = proxy.nextFinishedFlow();
        assertEquals(FlowError.Kind.DROPPED, done.error().orElseThrow().kind());
        assertTrue(done.error().orElseThrow().message().contains("wiretap stopped"), done.error().orElseThrow().message());
        return client;
    }

    @Test
    void clearingTheFilterPausesNothingMore() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            InterceptAddon intercept = intercept(proxy, "", false);
            assertTrue(intercept.filter().isPresent());
            intercept.clearFilter();

            client.send(request(origin, "GET", "/x", "", ""));

            assertEquals(200, client.readResponse().status());
            assertTrue(intercept.filter().isEmpty());
        }
    }

    private static byte[] readChunked(InputStream in) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(readLine(in).split(";")[0].strip(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }
}
