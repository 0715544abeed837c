package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPort;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Plain-HTTP requests in absolute form, forwarded to a real origin in origin form (RFC 9112 section 3.2). */
class ForwardingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/p?q          | /p?q",
        "/a/b;c?x=1&y= | /a/b;c?x=1&y=",
        "?only=query   | /?only=query",
        "''            | /",
    })
    void sendsAnAbsoluteFormTargetToTheOriginInOriginForm(String afterAuthority, String originForm) throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET http://" + origin.authority() + afterAuthority + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            assertEquals("GET " + originForm + " HTTP/1.1", Heads.startLine(origin.takeHead()));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "OPTIONS | ''       | *",
        "OPTIONS | /        | /",
        "OPTIONS | ?q=1     | /?q=1",
        "GET     | ''       | /",
    })
    void sendsAnOptionsRequestForAUrlWithAnEmptyPathAsAsterisk(String method, String afterAuthority, String sent)
            throws Exception {
        // RFC 9112 section 3.2.4: OPTIONS http://host:port asks about the server as a whole, and the last proxy MUST
        // send "*" to the origin for it; with a path or a query it asks about a resource.
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(method + " http://" + origin.authority() + afterAuthority + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            assertEquals(method + " " + sent + " HTTP/1.1", Heads.startLine(origin.takeHead()));
        }
    }

    @Test
    void sendsAnOptionsRequestForTheWholeServerOnToAnUpstreamProxyWithAnEmptyPath() throws Exception {
        // Not the last proxy: the next one must see the same question, which "http://host/" would not be.
        try (TestOrigin upstream = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(
                     s -> s.withUpstreamProxy(new UpstreamProxy(new HostPort("127.0.0.1", upstream.port()))));
             RawClient client = proxy.rawClient()) {
            client.send("OPTIONS http://example.test:8001 HTTP/1.1\r\nHost: example.test:8001\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            assertEquals("OPTIONS http://example.test:8001 HTTP/1.1", Heads.startLine(upstream.takeHead()));
        }
    }

    @Test
    void replacesTheClientsHostWithTheTargetsAuthorityKeepingItsPort() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: somewhere.else.example\r\nAccept: */*\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            assertEquals(List.of("127.0.0.1:" + origin.port()), Heads.values(origin.takeHead(), "Host"));
        }
    }

    /**
     * Port 80 cannot be bound by a test, so the origin stands in as an upstream proxy: it is sent the absolute URL
     * and the Host field wiretap made for a port-80 target.
     */
    @ParameterizedTest
    @ValueSource(strings = {"http://example.test/p", "http://example.test:80/p", "http://Example.TEST:80/p"})
    void leavesTheDefaultPortOutOfHost(String url) throws Exception {
        try (TestOrigin upstream = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(
                     s -> s.withUpstreamProxy(new UpstreamProxy(new HostPort("127.0.0.1", upstream.port()))));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + url + " HTTP/1.1\r\nHost: example.test:80\r\n\r\n");

            assertEquals(200, client.readResponse().status());
            String head = upstream.takeHead();
            assertEquals("GET http://example.test/p HTTP/1.1", Heads.startLine(head));
            assertEquals(List.of("example.test"), Heads.values(head, "Host"));
        }
    }

    @Test
    void refusesATargetWithUserInformationWithoutForwardingIt() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET http://user:secret@" + origin.authority() + "/ HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            RawClient.Response response = client.readResponse();
            assertEquals(400, response.status());
            assertTrue(response.bodyText().contains("user information"), response.bodyText());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
            assertEquals(0, origin.connectionCount());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "PURGE", "M-SEARCH", "get"})
    void passesTheMethodThroughKnownOrNot(String method) throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send(method + " " + origin.url("/m") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertEquals(200, client.readResponse(method.equals("HEAD")).status());
            assertEquals(method + " /m HTTP/1.1", Heads.startLine(origin.takeHead()));
        }
    }

    @Test
    void sendsAPostWithItsBodyAndRelaysTheAnswerToTheJdkClient() throws Exception {
        try (TestOrigin origin = TestOrigin.start(conn -> {
                String head = conn.readHead();
                String body = new String(conn.readBody(head), StandardCharsets.UTF_8);
                String reply = "got " + body;
                conn.write("HTTP/1.1 201 Created\r\nContent-Length: " + reply.length() + "\r\n\r\n" + reply);
            });
             ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<String> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/items")))
                            .POST(HttpRequest.BodyPublishers.ofString("apple")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(201, response.statusCode());
            assertEquals("got apple", response.body());
            assertEquals("POST /items HTTP/1.1", Heads.startLine(origin.takeHead()));
        }
    }
}
