package dev.wiretap.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Upstream connection reuse seen from clients of a running wiretap: one client's exchange must never leak into another's. */
class PooledReuseTest {

    @Test
    void neverReusesAConnectionOnWhichTheOriginSentMoreThanItsResponse() throws Exception {
        // The first answer carries, after its 5-byte body, a whole second response nobody asked for.
        AtomicInteger requests = new AtomicInteger();
        try (TestOrigin origin = TestOrigin.start(conn -> {
                while (conn.readHead() != null) {
                    int n = requests.incrementAndGet();
                    if (n == 1) {
                        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged");
                    } else {
                        conn.write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nanswer" + n);
                    }
                }
            });
             ProxyUnderTest proxy = ProxyUnderTest.start()) {
            try (RawClient alice = proxy.rawClient()) {
                RawClient.Response response = alice.send("GET " + origin.url("/a") + " HTTP/1.1\r\nHost: "
                        + origin.authority() + "\r\n\r\n").readResponse();
                assertEquals("first", response.bodyText());
            }
            proxy.nextFinishedFlow();

            try (RawClient bob = proxy.rawClient()) {
                RawClient.Response response = bob.send("GET " + origin.url("/b") + " HTTP/1.1\r\nHost: "
                        + origin.authority() + "\r\n\r\n").readResponse();
                assertEquals(200, response.status());
                assertEquals("answer2", response.bodyText(), "not the bytes the origin sent unasked");
            }
        }
    }
}
