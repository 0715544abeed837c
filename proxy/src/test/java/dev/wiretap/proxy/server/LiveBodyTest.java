package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A response that is still streaming (server-sent events here) can be watched: the flow store holds the live flow, its
 * body is what has been captured so far, read safely from another thread while it grows, and once it has streamed for
 * a while the flow is published as progressing.
 */
class LiveBodyTest {

    @Test
    void aStreamingResponseShowsItsBodySoFarAndIsPublishedAsProgressing() throws Exception {
        CountDownLatch firstSeenInStore = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "b\r\ndata: one\n\n\r\n");
                if (!firstSeenInStore.await(10, TimeUnit.SECONDS)) {
                    return;
                }
                // A slow origin: the next event comes once the body has been streaming for longer than a progress tick.
                Thread.sleep(FlowEvent.PROGRESS_MILLIS + 50);
                conn.write("b\r\ndata: two\n\n\r\n");
                if (end.await(10, TimeUnit.SECONDS)) {
                    conn.write("0\r\n\r\n");
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/events") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            long id = proxy.nextEvent(FlowEvent.Requested.class).flow().id();
            client.readHead();

            Flow live = awaitBody(proxy, id, "data: one\n\n");
            assertFalse(live.isDone());
            assertTrue(live.response().orElseThrow().isBodyGrowing());
            firstSeenInStore.countDown();

            assertEquals(id, proxy.nextEvent(FlowEvent.Progressed.class).flow().id());
            awaitBody(proxy, id, "data: one\n\ndata: two\n\n");
            end.countDown();
            Flow done = proxy.nextFinishedFlow();
            assertEquals("data: one\n\ndata: two\n\n", done.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertFalse(done.response().orElseThrow().isBodyGrowing());
        }
    }

    @Test
    void aQuickResponseIsNeverPublishedAsProgressing() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("quick"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("quick", client.readResponse().bodyText());
            proxy.nextFinishedFlow();
            assertTrue(proxy.drainEvents().stream().noneMatch(e -> e instanceof FlowEvent.Progressed));
        }
    }

    /** The flow store's flow {@code id} once its response body so far is {@code text}, polled with a deadline. */
    private static Flow awaitBody(ProxyUnderTest proxy, long id, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String seen = "";
        while (System.nanoTime() < deadline) {
            Flow flow = proxy.wiretap().history().get(id).orElseThrow();
            seen = flow.response().map(r -> r.body().text(StandardCharsets.UTF_8)).orElse("");
            if (seen.equals(text)) {
                return flow;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the body so far was '" + seen + "', never '" + text + "'");
    }
}
