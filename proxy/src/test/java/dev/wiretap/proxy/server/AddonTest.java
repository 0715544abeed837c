package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Addons take part in real exchanges: what they change is what goes out, and a failing one fails only its exchange. */
class AddonTest {

    static final class TagsRequests implements Addon {
        @Override
        public void onRequestHead(Flow flow) {
            flow.request().headers().add("X-Tagged-By", "wiretap-addon");
        }
    }

    static final class RetypesResponses implements Addon {
        @Override
        public void onResponseHead(Flow flow) {
            flow.response().orElseThrow().headers().set("Content-Type", "application/x-changed");
        }
    }

    static final class BrokenOnRequest implements Addon {
        @Override
        public void onRequestHead(Flow flow) {
            if (flow.request().url().endsWith("/boom")) {
                throw new IllegalStateException("request hook exploded");
            }
        }
    }

    static final class BrokenOnResponse implements Addon {
        @Override
        public void onResponseHead(Flow flow) {
            if (flow.request().url().endsWith("/boom")) {
                throw new IllegalStateException("response hook exploded");
            }
        }
    }

    @Test
    void aRequestHookCanAddAFieldTheOriginSees() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(new TagsRequests()))) {
            HttpResponse<String> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/"))).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("wiretap-addon", Heads.value(origin.takeHead(), "X-Tagged-By"));
        }
    }

    @Test
    void aResponseHookCanChangeAFieldTheClientSees() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(new RetypesResponses()))) {
            HttpResponse<String> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/"))).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(List.of("application/x-changed"), response.headers().allValues("Content-Type"));
            assertEquals("ok", response.body());
        }
    }

    @Test
    void aRequestHookThatThrowsGetsA500NamingTheAddonAndTheProxyServesOn() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(new BrokenOnRequest()))) {
            assertFailsWith500NamingTheAddon(proxy, origin, "BrokenOnRequest");
            assertEquals(0, origin.connectionCount(), "nothing may be sent upstream");
            assertServesOn(proxy, origin);
        }
    }

    @Test
    void aResponseHookThatThrowsGetsA500NamingTheAddonAndTheProxyServesOn() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(new BrokenOnResponse()))) {
            assertFailsWith500NamingTheAddon(proxy, origin, "BrokenOnResponse");
            assertServesOn(proxy, origin);
        }
    }

    private static void assertFailsWith500NamingTheAddon(ProxyUnderTest proxy, TestOrigin origin, String addon) throws Exception {
        try (RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/boom") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertEquals(500, response.status());
            assertTrue(response.bodyText().contains(addon), response.bodyText());
        }
        Flow failed = proxy.nextFinishedFlow();
        assertEquals(FlowError.Kind.INTERNAL, failed.error().orElseThrow().kind());
        assertTrue(failed.error().orElseThrow().message().contains(addon), failed.error().orElseThrow().message());
    }

    private static void assertServesOn(ProxyUnderTest proxy, TestOrigin origin) throws Exception {
        try (RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/fine") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertEquals(200, response.status());
            assertEquals("ok", response.bodyText());
        }
    }
}
