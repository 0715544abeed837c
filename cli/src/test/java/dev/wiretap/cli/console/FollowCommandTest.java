package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.WebSocketClient;
import dev.wiretap.proxy.testing.WebSocketEcho;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket's messages and a streaming response's events in the console: {@code show N} lists what has come so far,
 * {@code follow N} prints what comes next as it comes, until a key stops it or the flow ends.
 */
class FollowCommandTest {

    @Test
    void showListsASocketsMessagesAndFollowPrintsNewOnesUntilAKey() throws Exception {
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho());
             ConsoleUnderTest c = ConsoleUnderTest.start(s -> s.withTls(s.tls().withIntercept(true)))) {
            HttpClient http = HttpClient.newBuilder().proxy(ProxySelector.of(c.proxy.address())).build();
            try (WebSocketClient ws = WebSocketClient.open(http, URI.create("ws://" + origin.authority() + "/chat"))) {
                ws.socket().sendText("hello console", true).join();
                assertEquals("hello console", ws.next());
                long id = socketFlow(c).id();

                String shown = c.run("show " + id, "(the socket is open: follow " + id);
                assertTrue(shown.contains("messages (2)") && shown.contains("→ text") && shown.contains("← text")
                        && shown.contains("hello console"), shown);

                int mark = c.terminal.mark();
                c.terminal.type("follow " + id + "\n");
                c.terminal.waitFor(mark, "hello console");
                ws.socket().sendText("said while followed", true).join();
                assertEquals("said while followed", ws.next());
                c.terminal.waitFor(mark, "said while followed");
                c.terminal.type("q");
                String stopped = c.terminal.waitFor(mark, "stopped following flow " + id);
                assertTrue(stopped.indexOf("hello console") < stopped.indexOf("said while followed"), stopped);
                c.run("list", "wiretap>"); // the prompt works again
            }
        }
    }

    @Test
    void showListsTheEventsOfAStreamingResponseSoFar() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "26\r\nevent: price\nid: 7\ndata: {\"eur\": 1}\n\n\r\n");
                if (end.await(20, TimeUnit.SECONDS)) {
                    conn.write("0\r\n\r\n");
                }
            });
             ConsoleUnderTest c = ConsoleUnderTest.start(); RawClient client = c.proxy.rawClient()) {
            client.send("GET " + origin.url("/prices") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            client.readHead();
            Flow live = awaitInFlight(c);
            String shown = c.run("show " + live.id(), "still streaming");
            assertTrue(shown.contains("price id 7  {\"eur\": 1}"), shown);
            end.countDown();
        }
    }

    private static Flow socketFlow(ConsoleUnderTest c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var found = c.wiretap().history().recent(20, f -> f.webSocket().isPresent());
            if (!found.isEmpty() && found.getLast().webSocket().orElseThrow().total() >= 2) {
                return found.getLast();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no WebSocket flow with two messages");
    }

    private static Flow awaitInFlight(ConsoleUnderTest c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var found = c.wiretap().history().recent(5, f -> !f.isDone() && f.response().isPresent()
                    && f.response().get().body().size() > 0);
            if (!found.isEmpty()) {
                return found.getLast();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no response in flight");
    }
}
