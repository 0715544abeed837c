package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Fields meant for one connection stay on it (RFC 9110 section 7.6.1); Via records the hop (section 7.6.3). */
class HopByHopTest {

    private static final List<String> HOP_BY_HOP = List.of("Connection", "X-Hop", "X-Other-Hop", "Keep-Alive",
            "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Upgrade");

    @Test
    void anUpgradeToH2cIsNotForwarded() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n"
                    + "Connection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            String head = origin.takeHead();
            assertEquals(List.of(), Heads.values(head, "Upgrade"), head);
            assertEquals(List.of(), Heads.values(head, "HTTP2-Settings"), head);
            assertEquals(List.of(), Heads.values(head, "Connection"), head);
        }
    }

    @Test
    void keepsHopByHopRequestFieldsFromTheOrigin() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n"
                    + "Connection: keep-alive, X-Hop\r\n"
                    + "X-Hop: for wiretap only\r\n"
                    + "connection: x-other-hop\r\n"
                    + "x-other-hop: also\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Sum\r\n"
                    + "Upgrade: websocket\r\n"
                    + "X-End-To-End: kept\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            String head = origin.takeHead();
            for (String field : HOP_BY_HOP) {
                assertEquals(List.of(), Heads.values(head, field), field + " reached the origin:\n" + head);
            }
            assertEquals("kept", Heads.value(head, "X-End-To-End"));
        }
    }

    @Test
    void keepsHopByHopResponseFieldsFromTheClient() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nConnection: X-Secret\r\nX-Secret: origin's own\r\n"
                        + "Keep-Alive: timeout=5, max=100\r\nProxy-Connection: keep-alive\r\n"
                        + "X-End-To-End: kept\r\nContent-Length: 2\r\n\r\nok");
                conn.readHead();
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            RawClient.Response response = client.readResponse();
            for (String field : List.of("Connection", "X-Secret", "Keep-Alive", "Proxy-Connection")) {
                assertEquals(List.of(), Heads.values(response.head(), field), field + " reached the client:\n" + response.head());
            }
            assertEquals("kept", response.header("X-End-To-End"));
            assertEquals("ok", response.bodyText());
        }
    }

    @Test
    void passesEndToEndFieldsAsTheyCameInTheirOrder() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nx-lower: a\r\nHost: " + origin.authority()
                    + "\r\nX-Dup: 1\r\nX-MiXeD:b \r\nX-Dup: 2\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            String head = origin.takeHead();
            assertTrue(head.contains("\r\nx-lower: a\r\nX-Dup: 1\r\nX-MiXeD:b \r\nX-Dup: 2\r\n"), head);
        }
    }

    @Test
    void addsViaBothWays() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.1 200 OK\r\nVia: 1.1 cdn\r\nContent-Length: 2\r\n\r\nok");
                conn.readHead();
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nVia: 1.1 corporate\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(List.of("1.1 cdn", "1.1 wiretap"), Heads.values(response.head(), "Via"));
            assertEquals(List.of("1.1 corporate", "1.1 wiretap"), Heads.values(origin.takeHead(), "Via"));
        }
    }

    @Test
    void namesTheReceivedVersionInVia() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
            });
             ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.0\r\n\r\n");

            assertEquals(List.of("1.0 wiretap"), Heads.values(client.readResponse().head(), "Via"));
            assertEquals(List.of("1.0 wiretap"), Heads.values(origin.takeHead(), "Via"));
        }
    }

    @Test
    void addsNoViaWhenTurnedOff() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withAddVia(false));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertEquals(List.of(), Heads.values(client.readResponse().head(), "Via"));
            assertEquals(List.of(), Heads.values(origin.takeHead(), "Via"));
        }
    }
}
