package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Timings;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What listeners and the flow store learn about an exchange, and when. */
class FlowEventsTest {

    /** An origin that reads a Content-Length body and answers with {@code reply} on a kept-alive connection. */
    private static TestOrigin answering(String reply) throws Exception {
        return TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + reply.length() + "\r\nX-Origin: yes\r\n\r\n" + reply);
            }
        });
    }

    @Test
    void publishesRequestedRespondedAndCompletedInThatOrder() throws Exception {
        try (TestOrigin origin = answering("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            EventLog log = EventLog.on(proxy);
            client.send(get(origin, "/"));
            client.readResponse();

            FlowEvent requested = log.next();
            FlowEvent responded = log.next();
            FlowEvent completed = log.next();
            assertInstanceOf(FlowEvent.Requested.class, requested);
            assertInstanceOf(FlowEvent.Responded.class, responded);
            assertInstanceOf(FlowEvent.Completed.class, completed);
            assertSame(requested.flow(), responded.flow());
            assertSame(requested.flow(), completed.flow());
            assertEquals(Flow.State.COMPLETED, completed.flow().state());
        }
    }

    @Test
    void recordsTheRequestAndResponseOnTheFlow() throws Exception {
        try (TestOrigin origin = answering("the answer"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/p?q=1") + " HTTP/1.1\r\nX-First: 1\r\nHost: " + origin.authority()
                    + "\r\nx-second: 2\r\nContent-Length: 8\r\nX-First: 3\r\n\r\nquestion");
            client.readResponse();

            Flow flow = proxy.nextFinishedFlow();
            assertEquals(client.socket().getLocalSocketAddress(), flow.client());
            assertEquals("POST", flow.request().method());
            assertEquals("http://" + origin.authority() + "/p?q=1", flow.request().url());
            assertEquals(List.of("X-First", "Host", "x-second", "Content-Length", "X-First"), names(flow.request().headers()));
            assertEquals("question", flow.request().body().text(StandardCharsets.UTF_8));
            assertEquals(200, flow.response().orElseThrow().status());
            assertEquals("yes", flow.response().orElseThrow().headers().first("X-Origin").orElseThrow());
            assertEquals("the answer", flow.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertEquals("127.0.0.1:" + origin.port(), flow.serverAddress());
        }
    }

    @Test
    void countsTheBytesThatCrossedTheClientConnection() throws Exception {
        try (TestOrigin origin = answering("0123456789"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            String request = "PUT " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 5\r\n\r\nhello";
            client.send(request);
            RawClient.Response response = client.readResponse();

            Flow flow = proxy.nextFinishedFlow();
            assertEquals(request.length(), flow.bytesFromClient());
            assertEquals(response.head().length() + response.body().length, flow.bytesToClient());
        }
    }

    /** A listener (a HAR writer, the log line) reads the flow when it is told the flow is done. */
    @Test
    void hasItsByteCountsFinalWhenCompletedIsPublished() throws Exception {
        try (TestOrigin origin = answering("0123456789"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            BlockingQueue<long[]> atCompletion = new LinkedBlockingQueue<>();
            proxy.wiretap().events().add(event -> {
                if (event instanceof FlowEvent.Completed c) {
                    atCompletion.add(new long[] {c.flow().bytesFromClient(), c.flow().bytesToClient()});
                }
            });
            String request = get(origin, "/");
            client.send(request);
            RawClient.Response response = client.readResponse();

            long[] counts = atCompletion.poll(5, TimeUnit.SECONDS);
            assertEquals(request.length(), counts[0]);
            assertEquals(response.head().length() + response.body().length, counts[1]);
        }
    }

    @Test
    void capturesBodiesUpToTheLimitAndSaysWhenItStopped() throws Exception {
        String reply = "r".repeat(100);
        try (TestOrigin origin = answering(reply);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(16)));
             RawClient client = proxy.rawClient()) {
            String upload = "0123456789abcdefghijklmnopqrstuvwxyz";
            client.send("POST " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: " + upload.length() + "\r\n\r\n" + upload);
            assertEquals(reply, client.readResponse().bodyText(), "the whole body still flows");

            Flow flow = proxy.nextFinishedFlow();
            Body sent = flow.request().body();
            assertTrue(sent.isTruncated());
            assertEquals(upload.length(), sent.size());
            assertArrayEquals(upload.substring(0, 16).getBytes(StandardCharsets.US_ASCII), sent.bytes());
            Body received = flow.response().orElseThrow().body();
            assertTrue(received.isTruncated());
            assertEquals(100, received.size());
            assertEquals(16, received.capturedLength());
        }
    }

    @Test
    void capturesABodyWithinTheLimitWhole() throws Exception {
        try (TestOrigin origin = answering("small"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/"));
            client.readResponse();

            Body received = proxy.nextFinishedFlow().response().orElseThrow().body();
            assertFalse(received.isTruncated());
            assertEquals("small", received.text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void timesEachPhaseAndTheConnectOnlyOnANewConnection() throws Exception {
        try (TestOrigin origin = answering("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/new"));
            client.readResponse();
            Flow first = proxy.nextFinishedFlow();
            client.send(get(origin, "/reused"));
            client.readResponse();
            Flow second = proxy.nextFinishedFlow();

            Timings fresh = first.timings();
            assertFalse(first.isReusedUpstream());
            assertTrue(fresh.dnsNanos() >= 0, fresh.toString());
            assertTrue(fresh.connectNanos() >= 0, fresh.toString());
            assertPhasesTimed(fresh);
            Timings pooled = second.timings();
            assertTrue(second.isReusedUpstream());
            assertEquals(-1, pooled.dnsNanos(), pooled.toString());
            assertEquals(-1, pooled.connectNanos(), pooled.toString());
            assertPhasesTimed(pooled);
        }
    }

    @Test
    void keepsTheFlowInTheStore() throws Exception {
        try (TestOrigin origin = answering("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/stored"));
            client.readResponse();

            Flow flow = proxy.nextFinishedFlow();
            Flow stored = proxy.wiretap().history().get(flow.id()).orElseThrow();
            assertEquals(flow.request().url(), stored.request().url());
            assertEquals(200, stored.response().orElseThrow().status());
            assertEquals(List.of(flow.id()), proxy.wiretap().history().snapshot().stream().map(Flow::id).toList());
            assertEquals(1, proxy.wiretap().stats().flowsStored());
        }
    }

    private static void assertPhasesTimed(Timings t) {
        assertTrue(t.sendNanos() >= 0, t.toString());
        assertTrue(t.waitNanos() >= 0, t.toString());
        assertTrue(t.receiveNanos() >= 0, t.toString());
        assertTrue(t.totalNanos() >= t.sendNanos() + t.waitNanos() + t.receiveNanos(), t.toString());
    }

    private static List<String> names(Headers headers) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            names.add(headers.name(i));
        }
        return names;
    }

    private static String get(TestOrigin origin, String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }

    /** Every event from the moment it is added, in the order published. */
    private static final class EventLog implements FlowListener {
        private final BlockingQueue<FlowEvent> events = new LinkedBlockingQueue<>();

        static EventLog on(ProxyUnderTest proxy) {
            EventLog log = new EventLog();
            proxy.wiretap().events().add(log);
            return log;
        }

        @Override
        public void onEvent(FlowEvent event) {
            events.add(event);
        }

        FlowEvent next() throws InterruptedException {
            FlowEvent e = events.poll(5, TimeUnit.SECONDS);
            if (e == null) {
                throw new AssertionError("no flow event within 5 s");
            }
            return e;
        }
    }
}
