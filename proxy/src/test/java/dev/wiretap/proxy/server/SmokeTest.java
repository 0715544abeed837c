package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void relaysAPlainGetFromTheJdkHttpClient() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("hello"); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<String> response = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create(origin.url("/greeting"))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());
            assertEquals("GET /greeting HTTP/1.1", origin.takeHead().lines().findFirst().orElseThrow());
        }
    }
}
