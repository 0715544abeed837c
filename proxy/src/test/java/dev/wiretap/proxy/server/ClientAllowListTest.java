package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Cidr;
import dev.wiretap.config.ClientAccess;
import dev.wiretap.config.HostPort;
import dev.wiretap.config.Settings;
import dev.wiretap.proxy.testing.Curl;
import dev.wiretap.proxy.testing.LogCapture;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code clients.allow}: a client connecting from outside the listed blocks has its connection closed as it is
 * accepted, with a log line and a count; one inside is served. wiretap listens on loopback here, and the test's
 * client, at 127.0.0.1 (or ::1), is outside a list of 10.0.0.0/8.
 */
class ClientAllowListTest {

    private static UnaryOperator<Settings> allow(String... blocks) {
        return s -> s.withClients(ClientAccess.OPEN.withAllow(List.of(blocks).stream().map(Cidr::parse).toList()));
    }

    @Test
    void aClientOutsideTheListIsClosedAtOnceCountedAndLogged() throws Exception {
        try (LogCapture log = LogCapture.of(ClientGate.class);
             TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(allow("10.0.0.0/8"));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            assertTrue(client.isClosedByPeer(), "the connection was not closed");
            Curl.Result curl = Curl.run(List.of("-sS", "--max-time", "20", "-x", "http://127.0.0.1:" + proxy.port(), origin.url("/")));
            assertNotEquals(0, curl.exitCode(), "curl was served: " + curl.stdout());
            assertEquals(0, origin.connectionCount());
            assertEquals(0, proxy.wiretap().stats().flows(), "a refused connection is no exchange");
            assertEquals(2, proxy.wiretap().stats().clientRefused());
            assertEquals(0, proxy.wiretap().stats().clientAccepted());
            assertEquals(0, proxy.wiretap().stats().clientOpen());
            String first = log.records().stream().map(LogRecord::getMessage).findFirst().orElse("no log line");
            assertEquals("refused a client connection from 127.0.0.1: not in clients.allow [10.0.0.0/8]", first);
        }
    }

    @Test
    void aClientInsideTheListIsServed() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(allow("10.0.0.0/8", "127.0.0.0/8"));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            assertEquals("ok", client.readResponse().bodyText());
            assertEquals(0, proxy.wiretap().stats().clientRefused());
        }
    }

    @Test
    void anIpv6ClientIsMatchedAgainstIpv6Blocks() throws Exception {
        UnaryOperator<Settings> onIpv6 = s -> s.withListen(new HostPort("::1", 0));
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest inside = ProxyUnderTest.start(s -> allow("10.0.0.0/8", "::1/128").apply(onIpv6.apply(s)));
             ProxyUnderTest outside = ProxyUnderTest.start(s -> allow("127.0.0.0/8", "fd00::/8").apply(onIpv6.apply(s)));
             RawClient served = inside.rawClient();
             RawClient refused = outside.rawClient()) {
            String get = "GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
            assertEquals("ok", served.send(get).readResponse().bodyText());
            refused.send(get);
            assertTrue(refused.isClosedByPeer());
            assertEquals(1, outside.wiretap().stats().clientRefused());
        }
    }
}
