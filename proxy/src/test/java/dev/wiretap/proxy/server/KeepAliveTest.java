package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Persistent client connections (RFC 9112 section 9.3): reuse, pipelining, and each way one ends. */
class KeepAliveTest {

    /** An origin that answers each request on a kept-alive connection with its request target as the body. */
    private static TestOrigin echoingTarget() throws Exception {
        return TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                String target = Heads.startLine(head).split(" ")[1];
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + target.length() + "\r\n\r\n" + target);
            }
        });
    }

    @Test
    void servesSequentialRequestsOnOneConnection() throws Exception {
        try (TestOrigin origin = echoingTarget(); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            for (String path : new String[] {"/a", "/b", "/c"}) {
                client.send(get(origin, path));
                RawClient.Response response = client.readResponse();
                assertEquals(path, response.bodyText());
                assertNull(response.header("Connection"));
            }
            assertEquals(1, proxy.wiretap().stats().clientAccepted());
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (TestOrigin origin = echoingTarget(); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/first")
                    + "POST " + origin.url("/second") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 27\r\n\r\nGET /not-a-request HTTP/1.1"
                    + get(origin, "/third"));

            assertEquals("/first", client.readResponse().bodyText());
            assertEquals("/second", client.readResponse().bodyText());
            assertEquals("/third", client.readResponse().bodyText());
        }
    }

    @Test
    void closesAfterTheResponseWhenTheClientSaysConnectionClose() throws Exception {
        try (TestOrigin origin = echoingTarget(); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/bye") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nConnection: close\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals("/bye", response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void closesAnHttp10ConnectionAfterOneResponseByDefault() throws Exception {
        try (TestOrigin origin = echoingTarget(); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/old") + " HTTP/1.0\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals("/old", response.bodyText());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.isClosedByPeer());
        }
    }

    @Test
    void closesAConnectionLeftIdleLongerThanTheIdleTimeout() throws Exception {
        try (TestOrigin origin = echoingTarget();
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withTimeouts(s.timeouts().withClientIdle(Duration.ofMillis(300))));
             RawClient client = proxy.rawClient()) {
            client.send(get(origin, "/once"));
            assertEquals("/once", client.readResponse().bodyText());

            assertTrue(client.isClosedByPeer(), "the idle connection must be closed within the client's 10 s read timeout");
        }
    }

    private static String get(TestOrigin origin, String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
    }
}
