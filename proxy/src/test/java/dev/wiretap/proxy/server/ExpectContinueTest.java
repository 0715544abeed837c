package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Settings;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code Expect: 100-continue} through wiretap (RFC 9110 section 10.1.1). */
class ExpectContinueTest {

    private static final byte[] BODY = "twelve bytes".getBytes(StandardCharsets.US_ASCII);

    @Test
    void relaysTheOrigins100ThenTheBodyThenTheFinalResponse() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                if (Heads.value(head, "Expect") == null) {
                    conn.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                    return;
                }
                conn.write("HTTP/1.1 100 Continue\r\n\r\n");
                received.complete(conn.readBody(head));
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(ExpectContinueTest::waitingLongForTheOrigin);
             RawClient client = proxy.rawClient()) {
            client.send(expectingHead(origin));

            assertEquals("HTTP/1.1 100 Continue", Heads.startLine(client.readHead()));
            client.send(BODY);
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status(), "a second 100 would show up here");
            assertEquals("done", response.bodyText());
            assertArrayEquals(BODY, received.get(5, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @CsvSource({"417, Expectation Failed", "401, Unauthorized"})
    void passesOnAFinalAnswerTheOriginGivesBeforeTheBodyAndCloses(int status, String reason) throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 " + status + " " + reason + "\r\nContent-Length: 2\r\n\r\nno");
                conn.readHead(); // never reads the body; waits for wiretap to give up the connection
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(ExpectContinueTest::waitingLongForTheOrigin);
             RawClient client = proxy.rawClient()) {
            client.send(expectingHead(origin));

            RawClient.Response response = client.readResponse();
            assertEquals(status, response.status());
            assertEquals("no", response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer());
        }
    }

    /**
     * A client may send its body without waiting for the 100 (RFC 9110 section 10.1.1). The origin refuses it
     * unread; wiretap must still get the refusal to the client before the connection goes.
     */
    @Test
    void getsTheEarlyAnswerToAClientThatDidNotWaitForThe100() throws Exception {
        byte[] big = new byte[4 * 1024 * 1024];
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno");
                conn.readHead();
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(ExpectContinueTest::waitingLongForTheOrigin);
             RawClient client = proxy.rawClient()) {
            client.send("PUT " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + big.length + "\r\n\r\n");
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    client.out().write(big);
                } catch (IOException e) {
                    // wiretap stops reading once it has the answer: the rest of the body has nowhere to go
                }
            });

            RawClient.Response response = client.readResponse();
            assertEquals(401, response.status());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer());
            sender.join(10_000);
        }
    }

    @Test
    void sendsItsOwn100WhenTheOriginStaysSilentAndThenJustOne() throws Exception {
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                received.complete(conn.readBody(head));
                // An origin that sends its 100 late, after the body came anyway: the client must not see it.
                conn.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(
                     s -> s.withTimeouts(s.timeouts().withExpectContinue(Duration.ofMillis(200))));
             RawClient client = proxy.rawClient()) {
            client.send(expectingHead(origin));

            assertEquals("HTTP/1.1 100 Continue", Heads.startLine(client.readHead()));
            client.send(BODY);
            assertArrayEquals(BODY, received.get(5, TimeUnit.SECONDS));
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("done", response.bodyText());
        }
    }

    @Test
    void answersAnUnsupportedExpectationWith417() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nExpect: the-unexpected\r\nContent-Length: 12\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(417, response.status());
            assertTrue(response.bodyText().contains("the-unexpected"), response.bodyText());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
        }
    }

    /** So that the origin's answer, not wiretap's own 100, decides what happens however slow the machine. */
    private static Settings waitingLongForTheOrigin(Settings s) {
        return s.withTimeouts(s.timeouts().withExpectContinue(Duration.ofSeconds(30)));
    }

    private static String expectingHead(TestOrigin origin) {
        return "PUT " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                + "\r\nExpect: 100-continue\r\nContent-Length: " + BODY.length + "\r\n\r\n";
    }
}
