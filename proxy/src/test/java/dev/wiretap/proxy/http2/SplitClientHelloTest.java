package dev.wiretap.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.testing.H2Origin;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestCa;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ClientHello that reaches wiretap in pieces: what it offers (h2) is learnt from the handshake, so the connection
 * wiretap opened towards the origin at the CONNECT still offers h2 (an origin that speaks only h2 refused it before).
 */
class SplitClientHelloTest {

    @TempDir
    static Path dir;
    static TestCa testCa;
    static Path testCaFile;

    @BeforeAll
    static void makeTestCa() throws Exception {
        testCa = TestCa.ec("split hello test CA");
        testCaFile = testCa.writeCertificate(dir.resolve("test-ca.pem"));
    }

    @Test
    void anHttp2OriginIsOfferedH2WhenTheClientsHelloCameInPieces() throws Exception {
        try (H2Origin origin = H2Origin.start(testCa.issue("127.0.0.1").serverContext());
             ProxyUnderTest proxy = ProxyUnderTest.start(Interception.on(testCaFile));
             RawH2Client client = RawH2Client.openWithSplitHello(proxy, origin.authority())) {
            client.headers(1, client.request("GET", "/split"), true);

            Frame head = client.until(Frame.HEADERS);
            assertNotNull(head, "no response");
            assertEquals(1, head.streamId());
            proxy.nextFinishedFlow(); // the CONNECT
            Flow get = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, get.state(), get + " " + get.error());
            assertEquals(200, get.response().orElseThrow().status());
            assertEquals(HttpVersion.HTTP_2, get.response().orElseThrow().version());
            assertEquals(1, origin.connectionCount());
        }
    }
}
