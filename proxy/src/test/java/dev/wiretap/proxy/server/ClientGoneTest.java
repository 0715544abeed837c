package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RandomBody;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that resets its connection mid-exchange: wiretap ends the flow as the client's doing and closes the
 * origin connection too, so the origin never takes a cut-off upload for a whole one and stops sending a download
 * nobody reads.
 */
class ClientGoneTest {

    @Test
    void aClientResetMidUploadReachesTheOriginAsACutOffRequest() throws Exception {
        BlockingQueue<String> originGot = new LinkedBlockingQueue<>();
        TestOrigin.Handler upload = conn -> {
            conn.readHead();
            byte[] body = conn.in().readNBytes(100_000); // fewer only if the connection ends first
            originGot.add(body.length + " bytes");
        };
        try (TestOrigin origin = TestOrigin.start(upload); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            RawClient client = proxy.rawClient();
            client.send("POST " + origin.url("/upload") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nContent-Length: 100000\r\n\r\n" + "u".repeat(20_000));
            origin.takeHead(); // the upload is under way
            client.socket().setSoLinger(true, 0);
            client.close();

            String got = originGot.poll(10, TimeUnit.SECONDS);
            assertNotNull(got, "the origin connection stayed open");
            assertTrue(!got.equals("100000 bytes"), got);
            assertEquals(FlowError.Kind.CLIENT_CLOSED, proxy.nextFinishedFlow().error().orElseThrow().kind());
        }
    }

    @Test
    void aClientResetMidDownloadClosesTheOriginConnection() throws Exception {
        BlockingQueue<String> originSaw = new LinkedBlockingQueue<>();
        TestOrigin.Handler download = conn -> {
            conn.readHead();
            long size = 1L << 30;
            conn.write("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
            try {
                new RandomBody(size, 9).writeTo(conn.out(), 64 * 1024);
                originSaw.add("sent it all");
            } catch (IOException e) {
                originSaw.add("cut off");
            }
        };
        try (TestOrigin origin = TestOrigin.start(download); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            RawClient client = proxy.rawClient();
            client.send("GET " + origin.url("/big") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            client.readHead();
            client.in().readNBytes(1024 * 1024);
            client.socket().setSoLinger(true, 0);
            client.close();

            assertEquals("cut off", originSaw.poll(30, TimeUnit.SECONDS));
            assertEquals(FlowError.Kind.CLIENT_CLOSED, proxy.nextFinishedFlow().error().orElseThrow().kind());
        }
    }
}
