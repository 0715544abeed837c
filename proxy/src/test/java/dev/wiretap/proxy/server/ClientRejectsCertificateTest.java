package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that does not accept wiretap's certificate (it does not trust wiretap's CA, or pins the origin's): the
 * CONNECT flow fails as a TLS error naming the host and pointing at --passthrough, and nothing reaches the origin.
 */
class ClientRejectsCertificateTest {

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("rejection test CA");

    @Test
    void aJdkClientTrustingOnlyTheOriginsCaFailsTheTunnelNamingTheHost() throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(ORIGIN_CA.serverContext("localhost"), "origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             HttpClient client = Interception.httpsClient(proxy, ORIGIN_CA.clientTrustingOrigins())) {
            assertThrows(SSLHandshakeException.class, () -> client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + origin.port() + "/")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString()));

            assertRejected(proxy.nextFinishedFlow(), "localhost");
            assertEquals(null, origin.pollHead(100), "a request reached the origin");
        }
    }

    @Test
    void aClientWhoseTrustManagerRefusesFailsTheTunnelNamingTheHost() throws Exception {
        SSLContext refusing = SSLContext.getInstance("TLS");
        refusing.init(null, new TrustManager[] {new Refusing()}, null);
        try (TestOrigin origin = TestOrigin.fixedTls(ORIGIN_CA.serverContext("127.0.0.1"), "origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());

            assertThrows(SSLHandshakeException.class, () -> client.startTls(refusing, null));

            assertRejected(proxy.nextFinishedFlow(), "127.0.0.1");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"garbage after a handshake record header", "half a ClientHello, then the end"})
    void aClientThatBreaksOffTheHandshakeBeforeSeeingTheCertificateIsNotTakenForARejection(String how) throws Exception {
        try (TestOrigin origin = TestOrigin.fixedTls(ORIGIN_CA.serverContext("127.0.0.1"), "origin");
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            if (how.startsWith("garbage")) {
                // A TLS record header announcing a handshake message, then something that is not a ClientHello.
                client.send(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x42, 0x42, 0x42, 0x42, 0x42});
            } else {
                client.send(new byte[] {0x16, 0x03, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, (byte) 0xFC, 0x03, 0x03});
                client.socket().shutdownOutput();
            }

            Flow tunnel = proxy.nextFinishedFlow();
            assertEquals(Flow.State.FAILED, tunnel.state(), tunnel.toString());
            FlowError error = tunnel.error().orElseThrow();
            assertEquals(FlowError.Kind.TLS, error.kind(), error.toString());
            assertTrue(error.message().contains("TLS handshake with the client for 127.0.0.1 failed"), error.message());
            client.in().readAllBytes(); // perhaps a fatal alert, then the end: wiretap closed the connection
        }
    }

    private static void assertRejected(Flow tunnel, String host) {
        assertEquals("CONNECT", tunnel.request().method());
        assertEquals(Flow.State.FAILED, tunnel.state(), tunnel.toString());
        assertFalse(tunnel.isIntercepted(), "a tunnel whose TLS failed is marked intercepted");
        FlowError error = tunnel.error().orElseThrow();
        assertEquals(FlowError.Kind.TLS, error.kind(), error.toString());
        assertTrue(error.message().contains("rejected wiretap's certificate for " + host), error.message());
        assertTrue(error.message().contains("--passthrough " + host), error.message());
    }

    /** A client's trust manager that believes no server at all. */
    private static final class Refusing extends X509ExtendedTrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("refused by the test");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("refused by the test");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("refused by the test");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
