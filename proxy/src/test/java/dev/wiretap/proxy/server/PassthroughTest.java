package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.HostPattern;
import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.tls.CertificateAuthority;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tunnels wiretap leaves alone: to hosts matching a pass-through pattern, or all of them with interception off.
 * The client then talks TLS with the origin itself and sees the origin's own certificate.
 */
class PassthroughTest {

    @TempDir
    static Path dir;
    static TestCa testCa;
    static Path testCaFile;
    static TestCa.Leaf originCert;

    @BeforeAll
    static void makeTestCa() throws Exception {
        testCa = TestCa.ec("pass-through test CA");
        testCaFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
        originCert = testCa.issue("127.0.0.1", "localhost");
    }

    @ParameterizedTest(name = "pass-through {0}")
    @ValueSource(strings = {"127.0.0.1", "127.0.0.*", "*.0.0.1", "localhost", "LOCAL*", "*"})
    void tunnelsAMatchingHostUntouched(String pattern) throws Exception {
        String host = pattern.toLowerCase(Locale.ROOT).startsWith("local") ? "localhost" : "127.0.0.1";
        assertUntouched(Interception.on(testCaFile, tls -> tls.withPassthrough(List.of(new HostPattern("other.example"),
                new HostPattern(pattern)))), host);
    }

    @Test
    void tunnelsEverythingUntouchedWithInterceptionOff() throws Exception {
        assertUntouched(Interception.on(testCaFile, tls -> tls.withIntercept(false)), "127.0.0.1");
        assertUntouched(Interception.on(testCaFile, tls -> tls.withIntercept(false)), "localhost");
    }

    @Test
    void interceptsAHostThatMatchesNoPattern() throws Exception {
        UnaryOperator<TlsSettings> others = tls -> tls.withPassthrough(List.of(new HostPattern("*.example.com"),
                new HostPattern("127.0.0.2"), new HostPattern("local"), new HostPattern("localhost.*")));
        try (TestOrigin origin = TestOrigin.fixedTls(originCert.serverContext(), "origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile, others))) {
            String url = "https://localhost:" + origin.port() + "/";
            try (HttpClient trustsOrigin = Interception.httpsClient(proxy, TestCa.clientTrusting(testCa.certificate()))) {
                assertThrows(SSLHandshakeException.class, () -> get(trustsOrigin, url));
            }
            try (HttpClient trustsWiretap = Interception.httpsClient(proxy, Interception.trustingWiretap(proxy))) {
                HttpResponse<String> response = get(trustsWiretap, url);
                assertEquals("origin", response.body());
                X509Certificate seen = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
                assertEquals(proxy.wiretap().certificateAuthority().orElseThrow().certificate().getSubjectX500Principal(),
                        seen.getIssuerX500Principal());
            }
        }
    }

    @Test
    void tunnelsUntouchedATunnelToAnAddressWhoseClientHelloAsksForAPassThroughHost() throws Exception {
        // CONNECT 127.0.0.1:PORT, and a ClientHello asking for bank.example: its name decides, as the CONNECT's would.
        TestCa.Leaf bank = testCa.issue("bank.example");
        try (TestOrigin origin = TestOrigin.fixedTls(bank.serverContext(), "bank");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile,
                     tls -> tls.withPassthrough(List.of(new HostPattern("*.bank.example"), new HostPattern("bank.example")))));
             RawClient client = connect(proxy, origin)) {
            client.startTls(TestCa.clientTrusting(testCa.certificate()), "bank.example");

            X509Certificate seen = (X509Certificate) ((javax.net.ssl.SSLSocket) client.socket()).getSession().getPeerCertificates()[0];
            assertEquals(bank.certificate(), seen, "the client did not see the origin's own certificate");
            client.send("GET / HTTP/1.1\r\nHost: bank.example\r\nConnection: close\r\n\r\n");
            assertEquals("bank", client.readResponse().bodyText());
            client.close();
            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            assertFalse(tunnel.isIntercepted(), tunnel.toString());
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            assertEquals(List.of("passed through untouched: the client asked for bank.example (its TLS server name), which"
                    + " tls.passthrough names"), tunnel.notes());
        }
    }

    @Test
    void interceptsATunnelToAnAddressWhoseClientHelloAsksForAnotherHost() throws Exception {
        TestCa.Leaf other = testCa.issue("other.example");
        try (TestOrigin origin = TestOrigin.fixedTls(other.serverContext(), "other");
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile,
                     tls -> tls.withPassthrough(List.of(new HostPattern("bank.example")))))) {
            try (RawClient trustsOrigin = connect(proxy, origin)) {
                assertThrows(SSLHandshakeException.class,
                        () -> trustsOrigin.startTls(TestCa.clientTrusting(testCa.certificate()), "other.example"));
            }
            try (RawClient trustsWiretap = connect(proxy, origin)) {
                trustsWiretap.startTls(Interception.trustingWiretap(proxy), "other.example");
                X509Certificate seen = (X509Certificate) ((javax.net.ssl.SSLSocket) trustsWiretap.socket()).getSession()
                        .getPeerCertificates()[0];
                assertEquals(proxy.wiretap().certificateAuthority().orElseThrow().certificate().getSubjectX500Principal(),
                        seen.getIssuerX500Principal(), "made by wiretap: decrypted");
            }
        }
    }

    /** A client with a tunnel open to the origin's address, through {@code proxy}. */
    private static RawClient connect(ProxyUnderTest proxy, TestOrigin origin) throws Exception {
        RawClient client = proxy.rawClient();
        client.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port() + "\r\n\r\n");
        String head = client.readHead();
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        return client;
    }

    /** Through a proxy set up by {@code settings}, {@code host}'s tunnel reaches the origin's own TLS. */
    private static void assertUntouched(UnaryOperator<Settings> settings, String host) throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(originCert.serverContext(), "origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(settings)) {
            String url = "https://" + host + ":" + origin.port() + "/";
            try (HttpClient trustsOrigin = Interception.httpsClient(proxy, TestCa.clientTrusting(testCa.certificate()))) {
                HttpResponse<String> response = get(trustsOrigin, url);
                assertEquals(200, response.statusCode());
                assertEquals("origin", response.body());
                X509Certificate seen = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
                assertEquals(originCert.certificate(), seen, "the client did not see the origin's own certificate");
            }
            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals("CONNECT", tunnel.request().method());
            assertFalse(tunnel.isIntercepted(), tunnel.toString());
            assertEquals(Flow.State.COMPLETED, tunnel.state(), tunnel.toString());
            assertTrue(tunnel.bytesToClient() > 200, "the origin's TLS bytes were not counted: " + tunnel.bytesToClient());

            // wiretap's CA, made in its config dir whether or not interception is on.
            X509Certificate wiretapCa = CertificateAuthority.loadOrCreate(proxy.wiretap().settings().tls().configDir()).certificate();
            try (HttpClient trustsWiretap = Interception.httpsClient(proxy, TestCa.clientTrusting(wiretapCa))) {
                assertThrows(SSLHandshakeException.class, () -> get(trustsWiretap, url));
            }
            assertEquals(0, proxy.wiretap().stats().upstreamOpened(), "wiretap made a connection of its own to the origin");
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
