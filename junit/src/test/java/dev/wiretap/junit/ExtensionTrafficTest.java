package dev.wiretap.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The extension against real origins, plain and HTTPS, with the JDK's HttpClient: an HTTPS origin reached under a
 * name that does not exist (its certificate checked against that name), rules in code, and a session recorded against
 * a live origin, the origin stopped, and the recording replayed.
 */
class ExtensionTrafficTest {

    private static final TestCa ORIGIN_CA = TestCa.ec("test origins");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final TestOrigin ORIGIN = startOrigin();

    @TempDir
    static Path dir;

    @RegisterExtension
    static WiretapExtension wiretap = new WiretapExtension(Wiretap.builder()
            .trustOrigins(caFile())
            .resolve("accounts.example.test", "127.0.0.1:" + ORIGIN.port()));

    @AfterAll
    static void stopOrigin() throws IOException {
        ORIGIN.close();
    }

    @Test
    void reachesAnHttpsOriginUnderAMappedNameAndRecordsBothSidesTls() throws Exception {
        HttpResponse<String> response = get("https://accounts.example.test/balance");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().startsWith("/balance "), response.body());
        Flow flow = wiretap.awaitFlow("host:accounts.example.test path:/balance", Duration.ofSeconds(5));
        assertEquals("accounts.example.test", flow.clientTls().orElseThrow().serverName());
        assertEquals("accounts.example.test", flow.upstreamTls().orElseThrow().serverName());
    }

    @Test
    void rulesInCodeChangeHttpsTrafficAndAreGoneAfterTheTest() throws Exception {
        wiretap.when("host:accounts.example.test").setResponseHeader("X-Test", "yes");
        wiretap.when("path:/maintenance").respond(503, "text/plain", "down for tea");

        assertEquals("yes", get("https://accounts.example.test/x").headers().firstValue("X-Test").orElseThrow());
        HttpResponse<String> mocked = get("https://accounts.example.test/maintenance");
        assertEquals(503, mocked.statusCode());
        assertEquals("down for tea", mocked.body());
        assertEquals(2, wiretap.wiretap().rules().size());
    }

    @Test
    void recordsAgainstALiveOriginThenReplaysWithItStopped() throws Exception {
        TestCa ca = TestCa.ec("recorded origin");
        Path caPem = ca.writeCertificate(dir.resolve("recorded-ca.pem"));
        Path har = dir.resolve("recorded.har");
        AtomicInteger served = new AtomicInteger();
        try (TestOrigin live = TestOrigin.startTls(ca.issue("rates.example.test").serverContext(), conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                String body = "{\"rate\": " + served.incrementAndGet() + "}";
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                        + "\r\n\r\n" + body);
            }
        });
) {
            try (Wiretap recorder = Wiretap.builder().trustOrigins(caPem).resolve("rates.example.test", "127.0.0.1:" + live.port())
                    .start(); HttpClient client = HttpClient.newBuilder().proxy(recorder.proxySelector())
                    .sslContext(recorder.clientSslContext()).build()) {
                assertEquals("{\"rate\": 1}", send(client, "https://rates.example.test/today").body());
                recorder.awaitFlow("path:/today", Duration.ofSeconds(5));
                recorder.har(har, "host:rates.example.test !method:CONNECT");
            }
        }

        wiretap.replayFrom(har); // the origin is gone; so is any name for it

        HttpResponse<String> replayed = get("https://rates.example.test/today");
        assertEquals(200, replayed.statusCode());
        assertEquals("{\"rate\": 1}", replayed.body());
        assertEquals("application/json", replayed.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(1, served.get());
        assertTrue(wiretap.awaitFlow("path:/today", Duration.ofSeconds(5)).notes().get(0).startsWith("replayed from " + har));
    }

    @Test
    void aFlowThatNeverCameFailsTheTestNamingWhatDid() throws Exception {
        get("https://accounts.example.test/seen");
        wiretap.awaitFlow("path:/seen", Duration.ofSeconds(5));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> wiretap.awaitFlow("path:/missing", Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("GET https://accounts.example.test/seen 200"), e.getMessage());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().proxy(wiretap.proxySelector()).sslContext(wiretap.clientSslContext())
                .build()) {
            return send(client, url);
        }
    }

    private static HttpResponse<String> send(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static TestOrigin startOrigin() {
        try {
            return TestOrigin.startTls(ORIGIN_CA.issue("accounts.example.test").serverContext(), conn -> {
                String head;
                while ((head = conn.readHead()) != null) {
                    conn.readBody(head);
                    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                    String body = path + " " + COUNTER.incrementAndGet();
                    conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path caFile() {
        try {
            Path file = Files.createTempFile("wiretap-origin-ca-", ".pem");
            file.toFile().deleteOnExit();
            return ORIGIN_CA.writeCertificate(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
