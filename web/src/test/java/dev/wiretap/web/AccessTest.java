package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.RawClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who gets in: nobody without the token (401 and nothing else, page and API alike), the {@code ?token=} visit sets an
 * HttpOnly SameSite=Strict cookie and sends the browser on to the clean address, scripts use Bearer, a Host that is not
 * the UI's is refused (DNS rebinding), and a request that reaches the UI through the proxy gets no further than any
 * other. {@code rebind.test} resolves to 127.0.0.1 in this JVM (src/test/resources/hosts), the proxy's lookups
 * included, as an attacker's name would after rebinding.
 */
class AccessTest {

    private static WebUnderTest wiretap;

    @BeforeAll
    static void start() throws Exception {
        wiretap = WebUnderTest.start();
    }

    @AfterAll
    static void stop() {
        wiretap.close();
    }

    @Test
    void withoutTheTokenThePageAndTheApiAnswer401AndNothingElse() throws Exception {
        for (String path : new String[] {"/", "/assets/app.js", "/api/flows", "/api/flows/1", "/api/events", "/nope"}) {
            HttpResponse<String> r = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url(path))));
            assertEquals(401, r.statusCode(), path);
            assertFalse(r.body().contains("<html") || r.body().contains("import"), r.body());
            assertEquals("Bearer realm=\"wiretap\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        HttpResponse<String> api = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows"))));
        assertTrue(api.body().startsWith("{\"error\":\"this needs wiretap's web token: send Authorization: Bearer TOKEN"), api.body());
    }

    @Test
    void aWrongTokenIsNoToken() throws Exception {
        assertEquals(401, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows")))
                .header("Authorization", "Bearer not-the-token")).statusCode());
        assertEquals(401, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/?token=not-the-token")))).statusCode());
        assertEquals(401, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/")))
                .header("Cookie", "wiretap_token_" + wiretap.port() + "=nope")).statusCode());
        assertEquals(401, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows?token=" + wiretap.web().token()))))
                .statusCode(), "the API takes the token as Bearer or cookie, never in its URL");
    }

    @Test
    void theTokenVisitSetsAStrictHttpOnlyCookieAndRedirectsToTheCleanAddress() throws Exception {
        HttpResponse<String> visit = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.web().url())));
        assertEquals(303, visit.statusCode());
        assertEquals("/", visit.headers().firstValue("Location").orElse(""));
        String cookie = visit.headers().firstValue("Set-Cookie").orElse("");
        assertEquals("wiretap_token_" + wiretap.port() + "=" + wiretap.web().token() + "; Path=/; HttpOnly; SameSite=Strict", cookie);

        String pair = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> page = wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/"))).header("Cookie", "a=b; " + pair));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script type=\"importmap\">"), page.body());
        String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(policy.startsWith("default-src 'none'; script-src 'self' 'sha256-"), policy);
        assertEquals(200, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/vendor/preact/preact.module.js")))
                .header("Cookie", pair)).statusCode());
        assertEquals(200, wiretap.send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows"))).header("Cookie", pair)).statusCode());
    }

    @Test
    void aScriptUsesTheTokenAsBearer() throws Exception {
        HttpResponse<String> r = wiretap.api("/api/info");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"proxy\":\"127.0.0.1:" + wiretap.wiretap().address().getPort() + "\""), r.body());
    }

    @Test
    void refusesAHostThatIsNotTheUisOwnEvenWithTheToken() throws Exception {
        try (RawClient raw = new RawClient(wiretap.address())) {
            RawClient.Response r = raw.send("GET /api/flows HTTP/1.1\r\nHost: rebind.test:" + wiretap.port()
                    + "\r\nAuthorization: Bearer " + wiretap.web().token() + "\r\n\r\n").readResponse();
            assertEquals(403, r.status());
            assertTrue(r.bodyText().contains("Host 'rebind.test:" + wiretap.port() + "' is not this UI's address"), r.bodyText());
            for (String host : new String[] {"localhost:" + wiretap.port(), "127.0.0.1", "[::1]:" + wiretap.port(), "app.localhost"}) {
                assertEquals(200, raw.send("GET /api/info HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
                        + wiretap.web().token() + "\r\n\r\n").readResponse().status(), host);
            }
        }
    }

    @Test
    void throughTheProxyARequestGetsNoFurtherThanAnyOtherWithoutTheToken() throws Exception {
        assertEquals(401, wiretap.getThroughProxy(wiretap.url("/api/flows")).statusCode());
        assertEquals(401, wiretap.getThroughProxy(wiretap.url("/")).statusCode());
        HttpResponse<byte[]> rebound = wiretap.getThroughProxy("http://rebind.test:" + wiretap.port() + "/?token=" + wiretap.web().token());
        assertEquals(403, rebound.statusCode(), "a rebinding name through the proxy is refused, token or not");
    }
}
