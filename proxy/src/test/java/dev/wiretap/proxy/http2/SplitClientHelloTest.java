package dev.wiretap.proxy.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.testing.H2Origin;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import org.junit.jupiter.api.Test;

/**
 * A ClientHello that reaches wiretap in pieces: what it offers (h2) is learnt from the handshake, so the connection
 * wiretap opened towards the origin at the CONNECT still offers h2 (an origin that speaks only h2 refused it before).
 */
class SplitClientHelloTest {

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("split hello test CA");

    @Test
    void anHttp2OriginIsOfferedH2WhenTheClientsHelloCameInPieces() throws Exception {
        try (H2Origin origin = H2Origin.start(ORIGIN_CA.serverContext("127.0.0.1"));
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
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
