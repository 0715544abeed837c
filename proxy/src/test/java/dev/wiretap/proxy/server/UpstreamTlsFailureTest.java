package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
            assertExplained(response, "TLS handshake with " + origin.authority() + " failed: the certificate is not trusted "
                    + "(issued by \"" + unknown.certificate().getSubjectX500Principal() + "\", which is not in wiretap's trust "
                    + "store); trust it with --upstream-ca FILE (its certificate or its CA's), or turn checks off with "
                    + "--insecure-upstream");
            assertFailedTls(proxy, origin.authority());
            // The tunnel carries on: the next request on it gets its own answer.
            assertEquals(502, get(client, origin.httpsUrl("/again")).statusCode());
            assertEquals(1, proxy.wiretap().stats().clientAccepted());
        }
    }

    @ParameterizedTest(name = "{0} for a certificate naming {1}, insecure upstream: {2}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1 | wrong.example | false | the certificate is for \"wrong.example\", not \"127.0.0.1\"",
        "127.0.0.1 | wrong.example | true  | ",
        "localhost | wrong.example | false | the certificate is for \"wrong.example\", not \"localhost\"",
        "localhost | wrong.example | true  | ",
        "localhost | 127.0.0.1     | false | the certificate is for \"127.0.0.1\", not \"localhost\"",
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
            assertExplained(response, "TLS handshake with " + authority + " failed: " + problem
                    + "; ask for the site by a name it holds, or turn checks off with --insecure-upstream");
            assertFailedTls(proxy, authority);
        }
    }

    @Test
    void aSelfSignedOriginIsNamedSo() throws Exception {
        TestCa self = TestCa.ec("self-signed.example");
        try (TestOrigin origin = TestOrigin.fixedTls(self.asSelfSigned().serverContext(), "reached");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(trustedFile));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> response = get(client, origin.httpsUrl("/self"));

            assertEquals(502, response.statusCode(), response.body());
            assertExplained(response, "TLS handshake with " + origin.authority() + " failed: the certificate is not trusted "
                    + "(it is self-signed, \"" + self.certificate().getSubjectX500Principal() + "\", and not in wiretap's "
                    + "trust store); trust it with --upstream-ca FILE (its certificate), or turn checks off with --insecure-upstream");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"expired", "not yet valid", "its CA expired"})
    void anOriginWhoseCertificateIsOutOfDateGets502SayingSince(String when) throws Exception {
        Instant now = Instant.now();
        TestCa expiredCa = TestCa.create("expired CA", "EC", now.minus(Duration.ofDays(60)), now.minus(Duration.ofDays(3)));
        TestCa.Leaf leaf = switch (when) {
            case "expired" -> trusted.issue(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(2)), "127.0.0.1");
            case "not yet valid" -> trusted.issue(now.plus(Duration.ofDays(2)), now.plus(Duration.ofDays(30)), "127.0.0.1");
            default -> expiredCa.issue(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "127.0.0.1");
        };
        String problem = switch (when) {
            case "expired" -> "the certificate expired on " + day(leaf.certificate().getNotAfter())
                    + "; the site has to renew it, or turn checks off with --insecure-upstream";
            case "not yet valid" -> "the certificate is not valid until " + day(leaf.certificate().getNotBefore())
                    + " (is this machine's clock right?); turn checks off with --insecure-upstream";
            default -> "the certificate of its CA \"" + expiredCa.certificate().getSubjectX500Principal() + "\" expired on "
                    + day(expiredCa.certificate().getNotAfter()) + "; the site has to renew it, or turn checks off with --insecure-upstream";
        };
        try (TestOrigin origin = TestOrigin.fixedTls(leaf.serverContext(), "reached");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(trustedFile));
             HttpClient client = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
            HttpResponse<String> response = get(client, origin.httpsUrl("/dated"));

            assertEquals(502, response.statusCode(), response.body());
            assertExplained(response, "TLS handshake with " + origin.authority() + " failed: " + problem);
            assertFailedTls(proxy, origin.authority());
        }
    }

    private static String day(java.util.Date date) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(date.toInstant().atZone(ZoneOffset.UTC));
    }

    /** The 502's body is wiretap's one line, in words, with none of the JDK's internals in it. */
    private static void assertExplained(HttpResponse<String> response, String message) {
        assertEquals("wiretap: " + message, response.body().strip());
        assertFalse(response.body().contains("PKIX") || response.body().contains("sun.security"), response.body());
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
