package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header rules through a running wiretap: the origin sees the request's changes, the client the response's. */
class HeaderRulesTest {

    @TempDir
    Path dir;

    private static HttpResponse<String> get(HttpClient client, String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theOriginSeesRequestFieldsSetAddedAndRemoved() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("a"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: auth for the api
                         match: host:127.0.0.1 path:/api
                         set_headers: {Authorization: Bearer abc}
                         add_headers: {X-Tag: added}
                         remove_headers: [Cookie]
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = get(client, origin.url("/api/items"),
                    "Authorization", "Basic b2xk", "Cookie", "a=1", "X-Tag", "mine");

            assertEquals(200, response.statusCode());
            String head = origin.takeHead();
            assertEquals(List.of("Bearer abc"), Heads.values(head, "Authorization"));
            assertEquals(List.of("mine", "added"), Heads.values(head, "X-Tag"));
            assertEquals(List.of(), Heads.values(head, "Cookie"));
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(List.of("auth for the api"), flow.appliedRules());
            assertEquals(Optional.of("Bearer abc"), flow.request().headers().first("Authorization"), "the flow shows what was sent");

            get(client, origin.url("/other"), "Cookie", "a=1");
            assertEquals(List.of("a=1"), Heads.values(origin.takeHead(), "Cookie"), "a rule changed a request its filter does not select");
            assertEquals(List.of(), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void theClientSeesResponseFieldsSetAddedAndRemoved() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("a"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: fresh
                         match: path:/api
                         response:
                           set_headers: {Cache-Control: no-store}
                           add_headers: {X-Origin: rule}
                           remove_headers: [Set-Cookie]
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = get(client, origin.url("/api/items"));

            assertEquals(200, response.statusCode());
            assertEquals("GET /api/items HTTP/1.1\n", response.body(), "the body is untouched");
            assertEquals(List.of("no-store"), response.headers().allValues("Cache-Control"));
            assertEquals(List.of("a", "rule"), response.headers().allValues("X-Origin"));
            assertEquals(Optional.empty(), response.headers().firstValue("Set-Cookie"));
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(List.of("fresh"), flow.appliedRules());
            assertEquals(List.of("no-store"), flow.response().orElseThrow().headers().all("Cache-Control"));
        }
    }

    @Test
    void aFilterWithResponseTermsSelectsByTheResponseAndOnlyForResponseActions() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("a"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: mark missing
                         match: status:404
                         set_headers: {X-Never: sent}
                         response: {set_headers: {X-Missing: "true"}}
                       - name: mark not ok
                         match: "!status:2xx"
                         response: {add_headers: {X-Not-Ok: "true"}}
                     """));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> found = get(client, origin.url("/found"));
            HttpResponse<String> missing = get(client, origin.url("/status/404"));

            assertEquals(Optional.empty(), found.headers().firstValue("X-Missing"));
            assertEquals(Optional.empty(), found.headers().firstValue("X-Not-Ok"), "a negated response term matched before the response");
            assertEquals(404, missing.statusCode());
            assertEquals(Optional.of("true"), missing.headers().firstValue("X-Missing"));
            assertEquals(Optional.of("true"), missing.headers().firstValue("X-Not-Ok"));
            assertNull(Heads.value(origin.takeHead(), "X-Never"));
            assertNull(Heads.value(origin.takeHead(), "X-Never"), "a request action ran on a filter that needs the response");
            assertEquals(List.of(), proxy.nextFinishedFlow().appliedRules());
            assertEquals(List.of("mark missing", "mark not ok"), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void aRuleThatMovesARequestStillChangesItsResponse() throws Exception {
        try (TestOrigin real = TestOrigin.start(EchoHandler.named("real"));
             TestOrigin staging = TestOrigin.start(EchoHandler.named("staging"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: to staging
                         match: host:127.0.0.1 path:/api
                         map_remote: %s
                         response: {set_headers: {X-Mapped: "yes"}}
                     """.formatted(staging.url(""))));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = get(client, real.url("/api/x"));

            assertEquals(List.of("staging"), response.headers().allValues("X-Origin"));
            assertEquals(List.of("yes"), response.headers().allValues("X-Mapped"));
            assertFalse(real.connectionCount() > 0, "the real origin was contacted");
        }
    }
}
