package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An origin whose certificate wiretap cannot believe, inside an intercepted tunnel: the client gets a 502 that names
 * the origin and what is wrong with its certificate, and the tunnel lives on; with --insecure-upstream the same
 * origin is reached.
 */
class UpstreamTlsFailureTest {

    @TempDir
    static Path dir;
    static TestCa trusted;
    static Path trustedFile;

    @BeforeAll
    static void makeTestCa() throws Exception {
        trusted = TestCa.ec("trusted test CA");
        trustedFile = trusted.writeCertificate(dir.resolve("trusted-ca.pem"));
    }

    @ParameterizedTest(name = "insecure upstream: {0}")
    @ValueSource(booleans = {false, true})
    void anOriginSignedByAnUnknownCaGets502UnlessVerificationIsOff(boolean insecure) throws Exception {
        TestCa unknown = TestCa.ec("unknown CA");
        try (TestOrigin origin = TestOrigin.fixedTls(unknown.issue("127.0.0.1").serverContext(), "reached");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(trustedFile, tls -> tls.withInsecureUpstream(insecure)));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> response = get(client, origin.httpsUrl("/untrusted"));

            if (insecure) {
                assertReached(response, proxy);
                return;
            }
            assertEquals(502, response.statusCode(), response.body());
            assertTrue(response.body().contains(origin.authority()), response.body());
            assertTrue(response.body().contains("PKIX path building failed"), response.body());
            assertTrue(response.body().contains("unable to find valid certification path"), response.body());
            assertFailedTls(proxy, origin.authority());
            // The tunnel carries on: the next request on it gets its own answer.
            assertEquals(502, get(client, origin.httpsUrl("/again")).statusCode());
            assertEquals(1, proxy.wiretap().stats().clientAccepted());
        }
    }

    @ParameterizedTest(name = "{0} for a certificate naming {1}, insecure upstream: {2}")
    @CsvSource({
        "127.0.0.1, wrong.example, false, No subject alternative names matching IP address 127.0.0.1",
        "127.0.0.1, wrong.example, true,  ",
        "localhost, wrong.example, false, No subject alternative DNS name matching localhost found",
        "localhost, wrong.example, true,  ",
        "localhost, 127.0.0.1,     false, No name matching localhost found",
    })
    void anOriginWhoseCertificateNamesAnotherHostGets502UnlessVerificationIsOff(String host, String named, boolean insecure,
                                                                               String problem) throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(trusted.issue(named).serverContext(), "reached");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(trustedFile, tls -> tls.withInsecureUpstream(insecure)));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            String authority = host + ":" + origin.port();
            HttpResponse<String> response = get(client, "https://" + authority + "/wrong-name");

            if (insecure) {
                assertReached(response, proxy);
                return;
            }
            assertEquals(502, response.statusCode(), response.body());
            assertTrue(response.body().contains(authority), response.body());
            assertTrue(response.body().contains(problem), response.body());
            assertFailedTls(proxy, authority);
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertReached(HttpResponse<String> response, ProxyUnderTest proxy) throws InterruptedException {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("reached", response.body());
        assertTrue(proxy.nextFinishedFlow().isIntercepted());
        assertEquals(Flow.State.COMPLETED, proxy.nextFinishedFlow().state());
    }

    private static void assertFailedTls(ProxyUnderTest proxy, String authority) throws InterruptedException {
        Flow tunnel = proxy.nextFinishedFlow();
        assertTrue(tunnel.isIntercepted(), tunnel.toString());
        assertEquals(Flow.State.COMPLETED, tunnel.state(), "the CONNECT itself succeeded: " + tunnel);
        Flow failed = proxy.nextFinishedFlow();
        assertEquals(Flow.State.FAILED, failed.state(), failed.toString());
        FlowError error = failed.error().orElseThrow();
        assertEquals(FlowError.Kind.TLS, error.kind(), error.toString());
        assertTrue(error.message().contains(authority), error.message());
        assertEquals(502, failed.response().orElseThrow().status());
    }
}
