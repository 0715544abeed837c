package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.max_client_connections}: at the limit wiretap accepts no further client until one has closed; the
 * client waiting meanwhile is served then, and the counters show how many are open against the limit.
 */
class ClientLimitTest {

    @Test
    void atTheLimitTheNextClientWaitsToBeAcceptedUntilAnotherCloses() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok");
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withLimits(s.limits().withMaxClientConnections(2)));
             RawClient first = proxy.rawClient();
             RawClient second = proxy.rawClient();
             RawClient third = proxy.rawClient()) {
            String get = "GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n";
            assertEquals(200, first.send(get).readResponse().status());
            assertEquals(200, second.send(get).readResponse().status());

            third.send(get); // connected (the kernel's queue holds it), but not accepted while two are open
            third.socket().setSoTimeout(500);
            // A window for what must not happen: without the limit the answer comes within milliseconds.
            assertThrows(SocketTimeoutException.class, third::readResponse, "served past the limit");
            ConnectionStats stats = proxy.wiretap().stats();
            assertEquals(2, stats.clientAccepted());
            assertEquals(2, stats.clientOpen());
            assertEquals(2, stats.clientMax());

            first.close();
            third.socket().setSoTimeout(10_000);
            assertEquals(200, third.readResponse().status(), "accepted once a connection closed");
            assertEquals(3, proxy.wiretap().stats().clientAccepted());
        }
    }
}
