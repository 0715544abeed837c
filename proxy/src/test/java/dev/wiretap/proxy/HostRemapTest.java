package dev.wiretap.proxy;

import static dev.wiretap.proxy.LibraryClients.client;
import static dev.wiretap.proxy.LibraryClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host remapping: names that do not exist reach local origins at the address given ({@code resolve}, {@code hosts:}),
 * the request keeping its name, so that an HTTPS origin's certificate is checked against that name.
 */
class HostRemapTest {

    @TempDir
    Path dir;

    @Test
    void reachesAnHttpsOriginUnderItsRealNameWithTheCertificateCheckedAgainstIt() throws Exception {
        TestCa ca = TestCa.ec("origin CA");
        Path caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        try (TestOrigin origin = TestOrigin.fixedTls(ca.issue("api.example.test").serverContext(), "under its name");
             Wiretap wiretap = Wiretap.builder().trustOrigins(caPem).start(); HttpClient client = client(wiretap)) {
            wiretap.resolve("api.example.test", "127.0.0.1:" + origin.port());

            HttpResponse<String> response = get(client, "https://api.example.test/user");

            assertEquals(200, response.statusCode());
            assertEquals("under its name", response.body());
            assertTrue(origin.takeHead().contains("Host: api.example.test\r\n"));
            Flow flow = wiretap.awaitFlow("host:api.example.test path:/user", Duration.ofSeconds(5));
            assertEquals("127.0.0.1:" + origin.port(), flow.serverAddress());
            assertEquals("api.example.test", flow.upstreamTls().orElseThrow().serverName());
        }
    }

    @Test
    void refusesAnOriginWhoseCertificateIsForAnotherName() throws Exception {
        TestCa ca = TestCa.ec("origin CA");
        Path caPem = ca.writeCertificate(dir.resolve("ca.pem"));
        try (TestOrigin origin = TestOrigin.fixedTls(ca.issue("other.example.test").serverContext(), "wrong name");
             Wiretap wiretap = Wiretap.builder().trustOrigins(caPem).resolve("api.example.test", "127.0.0.1:" + origin.port())
                     .start(); HttpClient client = client(wiretap)) {
            HttpResponse<String> response = get(client, "https://api.example.test/user");

            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("TLS handshake with api.example.test:443 failed: the certificate is for"
                    + " \"other.example.test\", not \"api.example.test\""), response.body());
        }
    }

    @Test
    void keepsTheRequestsPortWhenTheMappingNamesNoneAndReadsTheConfigsHostsMap() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("plain")) {
            Path config = Files.writeString(dir.resolve("config.yaml"), "hosts:\n  shop.example.test: 127.0.0.1\n");
            try (Wiretap wiretap = Wiretap.builder().config(config).start(); HttpClient client = client(wiretap)) {
                assertEquals("plain", get(client, "http://shop.example.test:" + origin.port() + "/").body());
                assertTrue(origin.takeHead().contains("Host: shop.example.test:" + origin.port() + "\r\n"));
            }
        }
    }

    @Test
    void saysWhichAddressRefusedAConnectionAndRefusesAnAddressThatIsNone() throws Exception {
        int closed;
        try (TestOrigin origin = TestOrigin.fixed("gone")) {
            closed = origin.port();
        }
        try (Wiretap wiretap = Wiretap.builder().resolve("gone.example.test", "127.0.0.1:" + closed).start();
             HttpClient client = client(wiretap)) {
            HttpResponse<String> response = get(client, "http://gone.example.test/");
            assertEquals(502, response.statusCode());
            assertTrue(response.body().contains("connection refused by gone.example.test:" + closed + " (hosts: 127.0.0.1)"),
                    response.body());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> wiretap.resolve("api.example.test", "localhost"));
            assertTrue(e.getMessage().contains("'localhost' is not an IP address"), e.getMessage());
        }
    }
}
