package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Protocol upgrades (RFC 9110 section 7.8): a 101 the client asked for turns the connection into a two-way relay,
 * with Upgrade and {@code Connection: upgrade} passed on both ways; a 101 it did not ask for is the origin's fault.
 */
class UpgradeTest {

    @Test
    void relaysA101AndThenBytesBothWays() throws Exception {
        TestOrigin.Handler websocketEcho = conn -> {
            conn.readHead();
            // The first bytes of the new protocol come in the same write as the 101, as real servers often do.
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello");
            conn.in().transferTo(conn.out());
        };
        try (TestOrigin origin = TestOrigin.start(websocketEcho); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/chat") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n");

            String head = client.readHead();
            assertEquals("HTTP/1.1 101 Switching Protocols", Heads.startLine(head));
            assertEquals("websocket", Heads.value(head, "Upgrade"));
            assertEquals("upgrade", Heads.value(head, "Connection").toLowerCase(Locale.ROOT));
            String forwarded = origin.takeHead();
            assertEquals("websocket", Heads.value(forwarded, "Upgrade"));
            assertEquals("upgrade", Heads.value(forwarded, "Connection").toLowerCase(Locale.ROOT));
            assertEquals("13", Heads.value(forwarded, "Sec-WebSocket-Version"));

            assertEquals("hello", new String(client.in().readNBytes(5), StandardCharsets.US_ASCII));
            byte[] frame = new byte[256];
            for (int i = 0; i < frame.length; i++) {
                frame[i] = (byte) i; // every byte value, CR, LF and NUL included, passes untouched
            }
            client.send(frame);
            assertEquals(Arrays.toString(frame), Arrays.toString(client.in().readNBytes(frame.length)));
            client.socket().shutdownOutput();
            assertEquals(-1, client.in().read());

            Flow flow = proxy.nextFinishedFlow();
            assertEquals(Flow.State.COMPLETED, flow.state(), flow.toString());
            assertEquals(101, flow.response().orElseThrow().status());
        }
    }

    @Test
    void answers502ForA101TheClientDidNotAskFor() throws Exception {
        TestOrigin.Handler switchesAnyway = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            conn.in().read();
        };
        try (TestOrigin origin = TestOrigin.start(switchesAnyway); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/plain") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");

            RawClient.Response response = client.readResponse();
            UpstreamErrorsTest.assertOriginError(response, 502, origin.authority(), "switched protocols without being asked");
            assertEquals(null, response.header("Upgrade"));
            assertTrue(client.isClosedByPeer());
            UpstreamErrorsTest.assertFailed(proxy.nextFinishedFlow(), FlowError.Kind.UPSTREAM_PROTOCOL);
        }
    }

    @Test
    void endsTheFlowAndClosesTheOriginWhenTheClientIsGoneBeforeThe101() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Addon holdResponse = new Addon() {
            @Override
            public void onResponseHead(Flow flow) {
                reached.countDown();
                ConnectTunnelTest.awaitQuietly(proceed);
            }
        };
        BlockingQueue<String> originSaw = new LinkedBlockingQueue<>();
        TestOrigin.Handler switches = conn -> {
            conn.readHead();
            conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            try {
                originSaw.add(conn.in().read() < 0 ? "closed" : "a byte");
            } catch (IOException e) {
                originSaw.add("reset");
            }
        };
        try (TestOrigin origin = TestOrigin.start(switches); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, List.of(holdResponse))) {
            RawClient client = proxy.rawClient();
            client.send("GET " + origin.url("/chat") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertTrue(reached.await(10, TimeUnit.SECONDS));
            client.socket().setSoLinger(true, 0);
            client.close(); // a reset: wiretap's 101 cannot be written
            proceed.countDown();

            Flow flow = proxy.nextFinishedFlow(); // a flow left unfinished would stay in the flow store for good
            if (flow.state() == Flow.State.FAILED) {
                assertEquals(FlowError.Kind.CLIENT_CLOSED, flow.error().orElseThrow().kind(), flow.toString());
            } // else the reset reached wiretap only after its 101 had gone: the relay then ended at once
            String end = originSaw.poll(10, TimeUnit.SECONDS);
            assertNotNull(end, "the origin connection stayed open");
            assertNotEquals("a byte", end);
        }
    }

    @Test
    void anUpgradeTheOriginDeclinesIsAnOrdinaryExchange() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("no upgrade here"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            String request = "GET " + origin.url("/chat") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
            client.send(request);
            assertEquals("no upgrade here", client.readResponse().bodyText());

            client.send(request); // the connection carries on as HTTP
            assertEquals("no upgrade here", client.readResponse().bodyText());
        }
    }
}
