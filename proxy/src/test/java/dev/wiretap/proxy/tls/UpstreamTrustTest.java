package dev.wiretap.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.TlsSettings;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trust towards origins, over real TLS handshakes with test origins: the JDK's trust store plus the user's extra
 * certificates, or nothing checked at all with --insecure-upstream.
 */
class UpstreamTrustTest {

    @TempDir
    Path dir;

    private final TestCa testCa = TestCa.ec("upstream trust test CA");

    @Test
    void trustsAnOriginSignedByAnExtraCa() throws Exception {
        TlsSettings settings = settings().withTrustedCerts(List.of(testCa.writeCertificate(dir.resolve("test-ca.pem"))));
        try (TestOrigin origin = TestOrigin.fixedTls(testCa.issue("127.0.0.1").serverContext(), "ok")) {
            X509Certificate seen = handshake(UpstreamTrust.socketFactory(settings), origin, true);

            assertEquals("CN=127.0.0.1", seen.getSubjectX500Principal().getName());
        }
    }

    @Test
    void refusesAnOriginSignedByACaItDoesNotKnow() throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(testCa.issue("127.0.0.1").serverContext(), "ok")) {
            SSLSocketFactory factory = UpstreamTrust.socketFactory(settings());

            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> handshake(factory, origin, true));
            assertEquals(java.util.Optional.of(new CertificateProblem.Untrusted(testCa.certificate().getSubjectX500Principal(), false)),
                    UpstreamTrust.problemIn(e));
        }
    }

    @Test
    void trustsEveryCertificateOfAFileHoldingSeveral() throws Exception {
        TestCa second = TestCa.rsa("second test CA");
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(testCa.writeCertificate(dir.resolve("a.pem")))
                + Files.readString(second.writeCertificate(dir.resolve("b.pem"))));
        SSLSocketFactory factory = UpstreamTrust.socketFactory(settings().withTrustedCerts(List.of(bundle)));

        for (TestCa ca : List.of(testCa, second)) {
            try (TestOrigin origin = TestOrigin.fixedTls(ca.issue("127.0.0.1").serverContext(), "ok")) {
                assertEquals(ca.certificate().getSubjectX500Principal(), handshake(factory, origin, true).getIssuerX500Principal());
            }
        }
    }

    @Test
    void keepsTheJdksOwnTrustStoreBesideTheExtraCertificates() throws Exception {
        X509TrustManager trust = UpstreamTrust.trustManager(List.of(testCa.certificate()));

        Set<X509Certificate> accepted = Set.of(trust.getAcceptedIssuers());
        assertTrue(accepted.contains(testCa.certificate()), "the extra CA is missing");
        X509Certificate[] jdk = jdkTrustManager().getAcceptedIssuers();
        assertTrue(jdk.length > 0, "this JDK trusts no CA at all");
        for (X509Certificate cert : jdk) {
            assertTrue(accepted.contains(cert), "lost the JDK's " + cert.getSubjectX500Principal());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"empty", "not PEM at all", "a private key", "missing"})
    void refusesAnExtraCertificateFileItCannotReadNamingIt(String broken) throws Exception {
        Path file = dir.resolve("extra.pem");
        switch (broken) {
            case "empty" -> Files.writeString(file, "");
            case "not PEM at all" -> Files.writeString(file, "I am not a certificate\n");
            case "a private key" -> testCa.writeKey(file, TestCa.KeyFormat.PKCS8);
            case "missing" -> { }
            default -> throw new IllegalArgumentException(broken);
        }
        TlsSettings settings = settings().withTrustedCerts(List.of(file));

        IOException e = assertThrows(IOException.class, () -> UpstreamTrust.socketFactory(settings));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void trustsAnyOriginWhenVerificationIsOff() throws Exception {
        TestCa unknown = TestCa.ec("nobody trusts me");
        try (TestOrigin origin = TestOrigin.fixedTls(unknown.issue("wrong.example").serverContext(), "ok")) {
            SSLSocketFactory factory = UpstreamTrust.socketFactory(settings().withInsecureUpstream(true));

            X509Certificate seen = handshake(factory, origin, false);

            assertEquals(unknown.certificate().getSubjectX500Principal(), seen.getIssuerX500Principal());
        }
    }

    private TlsSettings settings() {
        return TlsSettings.defaults().withConfigDir(dir);
    }

    /** Handshakes with {@code origin} as wiretap's dialer does; returns the certificate the origin presented. */
    private static X509Certificate handshake(SSLSocketFactory factory, TestOrigin origin, boolean verifyHostname) throws IOException {
        try (SSLSocket socket = (SSLSocket) factory.createSocket("127.0.0.1", origin.port())) {
            socket.setSoTimeout(10_000);
            if (verifyHostname) {
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(params);
            }
            socket.startHandshake();
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 200 OK", answer);
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static X509TrustManager jdkTrustManager() throws Exception {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return (X509TrustManager) factory.getTrustManagers()[0];
    }
}
