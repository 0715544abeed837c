package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Map remote through a running wiretap: requests go to another origin, and the Host field follows them. */
class MapRemoteTest {

    @TempDir
    Path dir;

    @Test
    void sendsTheRequestToAnotherOriginWithThePathPrefixSwapped() throws Exception {
        try (TestOrigin staging = TestOrigin.start(EchoHandler.named("staging"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: api to staging
                         match: host:api.example.invalid path:/api/
                         map_remote: {to: "%s", strip: /api}
                     """.formatted(staging.url("/v2"))));
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://api.example.invalid/api/items?q=1"))
                    .POST(HttpRequest.BodyPublishers.ofString("order=7")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("POST /v2/items?q=1 HTTP/1.1\norder=7", response.body());
            assertEquals(List.of("staging"), response.headers().allValues("X-Origin"));
            String head = staging.takeHead();
            assertEquals(staging.authority(), Heads.value(head, "Host"), "the Host field did not follow the request");
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(staging.url("/v2/items?q=1"), flow.request().url());
            assertEquals(List.of("api to staging"), flow.appliedRules());
        }
    }

    @Test
    void aPathOutsideTheStripPrefixKeepsItsPathBehindTheTargetsPrefix() throws Exception {
        try (TestOrigin staging = TestOrigin.start(EchoHandler.named("staging"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:api.example.invalid
                         map_remote: {to: "%s", strip: /api}
                     """.formatted(staging.url("/v2/"))));
             RawClient client = proxy.rawClient()) {
            client.send("GET http://api.example.invalid/apiary/x HTTP/1.1\r\nHost: api.example.invalid\r\n\r\n");

            assertEquals("GET /v2/apiary/x HTTP/1.1\n", client.readResponse().bodyText());
            assertEquals(List.of("rule 1"), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void mapsPlainHttpToAnHttpsOrigin() throws Exception {
        TestCa testCa = TestCa.ec("map remote test CA");
        Path testCaFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
        try (TestOrigin secure = TestOrigin.startTls(testCa.issue("127.0.0.1").serverContext(), EchoHandler.named("secure"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, """
                     rules:
                       - match: host:www.example.invalid
                         map_remote: %s
                     """.formatted(secure.httpsUrl(""))).andThen(s -> s.withTls(s.tls().withTrustedCerts(List.of(testCaFile))))::apply);
             HttpClient client = proxy.httpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://www.example.invalid/page"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("GET /page HTTP/1.1\n", response.body());
            assertEquals(List.of("secure"), response.headers().allValues("X-Origin"));
            assertEquals(secure.authority(), Heads.value(secure.takeHead(), "Host"));
            assertEquals(secure.httpsUrl("/page"), proxy.nextFinishedFlow().request().url());
        }
    }
}
