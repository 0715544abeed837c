package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** wiretap's own connections to origins: pooled, given up when the origin says so, and recovered when they die. */
class UpstreamKeepAliveTest {

    @Test
    void reusesTheOriginConnectionForTheNextRequest() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            assertEquals(200, client.readResponse().status());
            client.send(get(origin, "/2"));
            assertEquals(200, client.readResponse().status());

            ConnectionStats stats = proxy.wiretap().stats();
            assertEquals(1, stats.upstreamOpened());
            assertEquals(1, stats.upstreamReused());
            assertEquals(1, origin.connectionCount());
        }
    }

    @Test
    void reusesTheOriginConnectionAcrossClientConnections() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            for (int i = 0; i < 2; i++) {
                try (RawClient client = proxy.rawClient()) {
                    client.send(get(origin, "/" + i));
                    assertEquals(200, client.readResponse().status());
                }
            }
            assertEquals(1, proxy.wiretap().stats().upstreamOpened());
            assertEquals(1, origin.connectionCount());
        }
    }

    @Test
    void opensANewConnectionAfterTheOriginSaidClose() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
                conn.readHead(); // would answer nothing more here: a reuse would hang
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            RawClient.Response first = client.readResponse();
            assertEquals(200, first.status());
            assertNull(first.header("Connection"), "the origin's close is for wiretap's connection, not the client's");
            client.send(get(origin, "/2"));
            assertEquals(200, client.readResponse().status());

            ConnectionStats stats = proxy.wiretap().stats();
            assertEquals(2, stats.upstreamOpened());
            assertEquals(0, stats.upstreamReused());
            assertEquals(2, origin.connectionCount());
        }
    }

    /**
     * Whether wiretap notices the close before sending (the probe of a connection idle for over a second) or after
     * (no answer at all on a reused connection), the client must not notice it.
     */
    @Test
    void retriesAGetOnAFreshConnectionWhenThePooledOneWasClosedByTheOrigin() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                if (Heads.startLine(head).startsWith("GET /1 ")) {
                    conn.socket().close(); // keep-alive was implied; the origin closes anyway, while idle
                    firstClosed.countDown();
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            assertEquals(200, client.readResponse().status());
            assertTrue(firstClosed.await(5, TimeUnit.SECONDS));

            client.send(get(origin, "/2"));
            assertEquals(200, client.readResponse().status());
            assertEquals(2, origin.connectionCount());
            assertEquals(2, proxy.wiretap().stats().upstreamOpened());
        }
    }

    /** The origin takes the next request's head and closes: the GET goes again on a new connection. */
    @Test
    void retriesAGetOnAFreshConnectionWhenThePooledOneDiesUnderIt() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                if (Heads.startLine(head).startsWith("GET /1 ")) {
                    conn.readHead(); // the second GET's head, then gone without an answer
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            assertEquals(200, client.readResponse().status());

            client.send(get(origin, "/2"));
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("ok", response.bodyText());
            assertEquals(2, origin.connectionCount());
            assertEquals("GET /1 HTTP/1.1", Heads.startLine(origin.takeHead()));
            assertEquals("GET /2 HTTP/1.1", Heads.startLine(origin.takeHead()));
            assertEquals("GET /2 HTTP/1.1", Heads.startLine(origin.takeHead()), "sent again on the new connection");
        }
    }

    /**
     * The origin takes the POST's head and closes, as an origin whose keep-alive timer fires just then would.
     * Nothing says whether it acted on the request, so the POST must not be sent again (RFC 9110 section 9.2.2).
     */
    @Test
    void doesNotRetryAPostWithABodyWhenThePooledConnectionDies() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                conn.readHead(); // the POST's head, then gone without an answer
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            assertEquals(200, client.readResponse().status());

            client.send("POST " + origin.url("/order") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 9\r\n\r\none pizza");
            RawClient.Response response = client.readResponse();
            assertEquals(502, response.status());
            assertTrue(response.bodyText().contains(origin.authority()), response.bodyText());
            assertEquals(1, origin.connectionCount());
            assertEquals(1, proxy.wiretap().stats().upstreamOpened());
        }
    }

    /**
     * With Expect: 100-continue only the head reached the dead connection and the body is still with the client,
     * so the origin cannot have acted on it: even a POST goes again on a fresh connection.
     */
    @Test
    void retriesAPostWhoseBodyWaitsBehindExpectContinueWhenThePooledConnectionDies() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                if (Heads.startLine(head).startsWith("GET ")) {
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    conn.readHead(); // the POST's head, then gone without an answer
                    return;
                }
                conn.write("HTTP/1.1 100 Continue\r\n\r\n");
                byte[] body = conn.readBody(head);
                conn.write("HTTP/1.1 201 Created\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/1"));
            assertEquals(200, client.readResponse().status());

            client.send("POST " + origin.url("/order") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nExpect: 100-continue\r\nContent-Length: 9\r\n\r\n");
            assertEquals(100, client.readResponse().status());
            client.send("one pizza");
            RawClient.Response response = client.readResponse();
            assertEquals(201, response.status());
            assertEquals("one pizza", response.bodyText());
            assertEquals(2, origin.connectionCount());
        }
    }

    private static String get(TestOrigin origin, String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }
}
