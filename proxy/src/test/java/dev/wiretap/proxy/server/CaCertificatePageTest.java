package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.CaCertificate;
import dev.wiretap.proxy.tls.TrustInstructions;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * wiretap's own page with HTTPS interception on: how to trust the CA (the same instructions {@code wiretap ca}
 * prints), its fingerprint, and the certificate to download; with interception off, a page that says so.
 */
class CaCertificatePageTest {

    @Test
    void showsHowToTrustTheCaWithItsFingerprint() throws Exception {
        try (ProxyUnderTest proxy = startIntercepting()) {
            CaCertificate ca = proxy.wiretap().certificateAuthority().orElseThrow();

            HttpResponse<String> page = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create("http://wiretap/")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
            String html = page.body();
            assertTrue(html.contains(TrustInstructions.forDownload(ca.certificate(), "127.0.0.1:" + proxy.port()).html()),
                    "the instructions wiretap ca prints, for the downloaded copy, as HTML: " + html);
            assertTrue(html.contains("-n wiretap -i wiretap-ca.pem</code>"), html);
            // Any client of the proxy may read the page: it must not tell them where wiretap keeps its files.
            assertFalse(html.contains(ca.certificateFile().toAbsolutePath().getParent().toString()), html);
            assertTrue(html.contains(ca.fingerprint()), html);
            assertTrue(html.contains("<a href=\"/wiretap-ca.pem\">"), html);
            assertTrue(html.contains("<a href=\"/wiretap-ca.cer\">"), html);
            assertEquals(0, proxy.wiretap().stats().upstreamOpened());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/wiretap-ca.pem, application/x-pem-file",
            "/wiretap-ca.cer, application/x-x509-ca-cert",
            "/wiretap-ca.crt, application/pkix-cert",
            "/wiretap-ca.pem?fresh=1, application/x-pem-file"})
    void offersTheCertificateForDownload(String path, String contentType) throws Exception {
        try (ProxyUnderTest proxy = startIntercepting()) {
            CaCertificate ca = proxy.wiretap().certificateAuthority().orElseThrow();

            HttpResponse<byte[]> download = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create("http://wiretap" + path)).build(), HttpResponse.BodyHandlers.ofByteArray());

            assertEquals(200, download.statusCode());
            assertEquals(contentType, download.headers().firstValue("Content-Type").orElseThrow());
            byte[] body = download.body();
            if (contentType.equals("application/x-pem-file")) {
                assertEquals(ca.certificatePem(), new String(body, StandardCharsets.US_ASCII));
                assertTrue(ca.certificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
            } else {
                assertArrayEquals(ca.certificateDer(), body, "DER");
            }
            assertEquals(ca.certificate(), parse(body), "the same certificate as wiretap signs with");
        }
    }

    @Test
    void servesTheCertificateAtItsOwnAddressTooAndAnswersHeadWithoutABody() throws Exception {
        try (ProxyUnderTest proxy = startIntercepting(); RawClient client = proxy.rawClient()) {
            CaCertificate ca = proxy.wiretap().certificateAuthority().orElseThrow();
            String host = "127.0.0.1:" + proxy.port();

            client.send("HEAD /wiretap-ca.cer HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            RawClient.Response head = client.readResponse(true);
            client.send("GET /wiretap-ca.cer HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            RawClient.Response get = client.readResponse();

            assertEquals(200, head.status());
            assertEquals(Integer.toString(ca.certificateDer().length), head.header("Content-Length"));
            assertEquals(200, get.status(), "the connection carried on after HEAD");
            assertArrayEquals(ca.certificateDer(), get.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/wiretap-ca-key.pem", "/wiretap-ca.pem.bak", "/index.html", "/favicon.ico", "//wiretap-ca.pem"})
    void answers404ForAnythingElseAndKeepsTheConnection(String path) throws Exception {
        try (ProxyUnderTest proxy = startIntercepting(); RawClient client = proxy.rawClient()) {
            client.send("GET http://wiretap" + path + " HTTP/1.1\r\nHost: wiretap\r\n\r\n");
            RawClient.Response missing = client.readResponse();
            client.send("GET http://wiretap/ HTTP/1.1\r\nHost: wiretap\r\n\r\n");
            RawClient.Response page = client.readResponse();

            assertEquals(404, missing.status());
            assertEquals("wiretap: wiretap's own page has nothing at " + path + "; see / for what it has\n", missing.bodyText());
            assertFalse(missing.bodyText().contains("PRIVATE KEY"));
            assertEquals(200, page.status());
        }
    }

    @Test
    void saysInterceptionIsOffAndOffersNoCertificate() throws Exception {
        try (ProxyUnderTest proxy = ProxyUnderTest.start()) {
            HttpResponse<String> page = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create("http://wiretap/")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> download = proxy.httpClient().send(
                    HttpRequest.newBuilder(URI.create("http://wiretap/wiretap-ca.pem")).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("HTTPS interception is off"), page.body());
            assertFalse(page.body().contains("wiretap-ca.pem"), page.body());
            assertEquals(404, download.statusCode());
            assertEquals("wiretap: HTTPS interception is off (--no-intercept): there is no CA certificate\n", download.body());
        }
    }

    @Test
    void servesThePageOverHttpsToo() throws Exception {
        try (ProxyUnderTest proxy = startIntercepting()) {
            CaCertificate ca = proxy.wiretap().certificateAuthority().orElseThrow();
            java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("wiretap", ca.certificate());
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(context)
                    .proxy(java.net.ProxySelector.of(proxy.address())).build();

            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("https://wiretap/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains(ca.fingerprint()), page.body());
            assertEquals(0, proxy.wiretap().stats().upstreamOpened(), "nothing goes upstream for wiretap's own host");
        }
    }

    @Test
    void saysWhichMethodsItsPageAllowsWhenRefusingOne() throws Exception {
        try (ProxyUnderTest proxy = startIntercepting(); dev.wiretap.proxy.testing.RawClient client = proxy.rawClient()) {
            client.send("DELETE http://wiretap/ HTTP/1.1\r\nHost: wiretap\r\n\r\n");
            dev.wiretap.proxy.testing.RawClient.Response response = client.readResponse();
            assertEquals(405, response.status());
            assertEquals("GET, HEAD, OPTIONS", response.header("Allow"), "RFC 9110 section 15.5.6");
        }
    }

    private static ProxyUnderTest startIntercepting() throws Exception {
        return ProxyUnderTest.start(s -> s.withTls(s.tls().withIntercept(true)));
    }

    private static X509Certificate parse(byte[] pemOrDer) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pemOrDer));
    }
}
