package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.0 clients behind wiretap, which talks HTTP/1.1 to the origin: no chunked framing, no 1xx and no
 * keep-alive unless asked for (RFC 9112 section 9.3, RFC 9110 section 15.2).
 */
class Http10ClientTest {

    @Test
    void getsAChunkedResponseDechunkedAndThenTheConnectionCloses() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Sum: 12\r\n\r\n");
                conn.readHead(); // keeps the origin side open: the close must come from wiretap's framing choice
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

            String head = client.readHead();
            assertEquals(200, status(head));
            assertNull(Heads.value(head, "Transfer-Encoding"), head);
            assertNull(Heads.value(head, "Content-Length"), head);
            assertEquals("close", Heads.value(head, "Connection"), head);
            assertEquals("hello, world", new String(client.in().readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void keepsTheConnectionAliveWhenAskedAndTheResponseHasALength() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("abc"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            String request = "GET " + origin.url("/") + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
            client.send(request);
            RawClient.Response first = client.readResponse();
            assertEquals("keep-alive", first.header("Connection"));
            assertEquals("abc", first.bodyText());

            client.send(request);
            RawClient.Response second = client.readResponse();
            assertEquals(200, second.status());
            assertEquals("abc", second.bodyText());
        }
    }

    @Test
    void neverGetsAnInterimResponse() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.0\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("ok", response.bodyText());
        }
    }

    /** RFC 9110 section 10.1.1: a 1.0 client's expectation is ignored, so the origin sends no 100 it would get. */
    @Test
    void hasItsExpectationIgnoredAndGetsNo100() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                byte[] body = conn.readBody(head);
                conn.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/") + " HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody");

            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("body", response.bodyText());
            assertNull(Heads.value(origin.takeHead(), "Expect"));
            assertTrue(client.isClosedByPeer());
        }
    }

    private static int status(String head) {
        return Integer.parseInt(Heads.startLine(head).split(" ")[1]);
    }
}
