package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response cut off by its origin, seen by a client inside an intercepted tunnel: wiretap must end the client's
 * TLS as an abort (the TCP connection reset, no close_notify), since a TLS close_notify says the data ended cleanly
 * and, for a body delimited by the connection's close, that the body is whole (RFC 8446 section 6.1, RFC 9112
 * section 9.8). Found by bin/soak: an HTTP/1.0 client got a close-delimited body cut short as a whole one.
 */
class AbortInsideTlsTest {

    @TempDir
    Path dir;

    @Test
    void aBodyCutByTheOriginEndsTheClientsTlsWithoutCloseNotify() throws Exception {
        TestCa testCa = TestCa.ec("abort test CA");
        Path testCaFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
        TestOrigin.Handler stallsMidBody = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + "a".repeat(100)); // until the close
            conn.in().read(); // and then nothing more, until wiretap gives up on it
        };
        try (TestOrigin origin = TestOrigin.startTls(testCa.issue("127.0.0.1").serverContext(), stallsMidBody);
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> Interception.on(testCaFile).apply(
                     s.withTimeouts(s.timeouts().withUpstreamRead(Duration.ofMillis(500)))));
             RawClient client = proxy.rawClient()) {
            ConnectTunnelTest.openTunnel(client, origin.authority());
            client.startTls(Interception.trustingWiretap(proxy), null);
            client.send("GET /cut HTTP/1.0\r\nHost: " + origin.authority() + "\r\n\r\n");

            ByteArrayOutputStream got = new ByteArrayOutputStream();
            assertThrows(IOException.class, () -> readToCleanEnd(client.in(), got),
                    "the client's TLS ended cleanly, so the cut body looks whole: " + got.toString(StandardCharsets.ISO_8859_1));
            assertTrue(got.size() <= "HTTP/1.1 200 OK\r\n".length() + 200 + 100, "more than the origin sent: " + got);

            proxy.nextFinishedFlow(); // the tunnel
            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.FAILED, flow.state(), flow.toString());
            assertEquals(FlowError.Kind.UPSTREAM_TIMEOUT, flow.error().orElseThrow().kind(), flow.toString());
        }
    }

    /** Reads until the TLS stream ends cleanly (close_notify, then -1); an abort throws. */
    private static void readToCleanEnd(InputStream in, ByteArrayOutputStream got) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            got.write(buf, 0, n);
        }
    }
}
