package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests addressed to wiretap itself get its own page and are never forwarded (which would loop back). */
class SelfRequestTest {

    @Test
    void servesItsPageForAnOriginFormRequest() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\n\r\n");

            assertIsThePage(client.readResponse(), proxy);
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:%d/", "http://localhost:%d/", "http://wiretap/", "http://WIRETAP/?anything"})
    void servesItsPageForAnAbsoluteUrlNamingItself(String urlPattern) throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            String url = urlPattern.formatted(proxy.port());
            client.send("GET " + url + " HTTP/1.1\r\nHost: " + URI.create(url).getAuthority() + "\r\n\r\n");

            assertIsThePage(client.readResponse(), proxy);
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(200, flow.response().orElseThrow().status());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
            assertEquals(1, proxy.wiretap().stats().clientAccepted(), "a forwarded request would have come back in");
        }
    }

    @Test
    void servesItsPageToTheJdkClientForTheMagicHost() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<String> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create("http://wiretap/")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("127.0.0.1:" + proxy.port()), response.body());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
        }
    }

    @Test
    void tellsChromiumToSendLoopbackTrafficThroughTheProxyAsTheReadmeDoes() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start(); RawClient client = proxy.rawClient()) {
            client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + proxy.port() + "\r\n\r\n");

            String page = client.readResponse().bodyText();
            assertTrue(page.contains("<code>chromium --proxy-server=127.0.0.1:" + proxy.port()
                    + " --proxy-bypass-list='&lt;-loopback&gt;'</code>"), page);
        }
    }

    private static void assertIsThePage(RawClient.Response response, ProxyUnderTest proxy) {
        assertEquals(200, response.status());
        assertTrue(response.header("Content-Type").startsWith("text/html"), response.head());
        assertTrue(response.bodyText().contains("<h1>wiretap"), response.bodyText());
        assertTrue(response.bodyText().contains("127.0.0.1:" + proxy.port()), response.bodyText());
    }
}
