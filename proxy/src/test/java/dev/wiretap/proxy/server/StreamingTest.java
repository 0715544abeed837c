package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bodies that arrive over time (server-sent events, a long upload in pieces) pass through as they arrive: each
 * piece must reach the other side before the sender sends the next, which it only does once the test has seen
 * the piece, so a proxy that held bytes back until the body ended would time out here.
 */
class StreamingTest {

    @Test
    void passesEachChunkOfAStreamedResponseOnAsItArrives() throws Exception {
        CountDownLatch firstEventSeen = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "9\r\ndata: 1\n\n\r\n");
                if (!firstEventSeen.await(10, TimeUnit.SECONDS)) {
                    return; // the client never saw the first event: end without the rest
                }
                conn.write("9\r\ndata: 2\n\n\r\n0\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/events") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            String head = client.readHead();
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            byte[] firstChunk = client.in().readNBytes("9\r\ndata: 1\n\n\r\n".length());
            assertEquals("9\r\ndata: 1\n\n\r\n", new String(firstChunk, StandardCharsets.US_ASCII));
            firstEventSeen.countDown();
            byte[] rest = client.in().readNBytes("9\r\ndata: 2\n\n\r\n0\r\n\r\n".length());
            assertEquals("9\r\ndata: 2\n\n\r\n0\r\n\r\n", new String(rest, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void passesEachPieceOfAnUploadOnAsItArrives() throws Exception {
        CountDownLatch firstPieceAtOrigin = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                byte[] first = conn.in().readNBytes("5\r\nfirst\r\n".length());
                if (new String(first, StandardCharsets.US_ASCII).equals("5\r\nfirst\r\n")) {
                    firstPieceAtOrigin.countDown();
                }
                conn.in().readNBytes("4\r\nlast\r\n0\r\n\r\n".length());
                conn.write("HTTP/1.1 204 No Content\r\n\r\n");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
            assertTrue(firstPieceAtOrigin.await(10, TimeUnit.SECONDS), "the first piece never reached the origin");
            client.send("4\r\nlast\r\n0\r\n\r\n");
            assertEquals(204, client.readResponse().status());
        }
    }
}
