package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.addon.Addon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HeldMessage;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.OriginCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.WebSocketClient;
import dev.wiretap.proxy.testing.WebSocketEcho;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * WebSocket messages through wiretap, end to end: the JDK's WebSocket client, wiretap, and an echo server
 * ({@link WebSocketEcho}); the messages come back byte for byte, and the flow records each one both ways. The JDK's
 * client opens a CONNECT tunnel for ws:// too (as browsers do), so interception is on, as by default: wiretap reads
 * the plain HTTP inside the tunnel.
 */
class WebSocketMessagesTest {

    /** Signs the origins' certificates; wiretap is told to trust it. */
    static final OriginCa ORIGIN_CA = OriginCa.create("websocket test CA");

    private static HttpClient client(ProxyUnderTest proxy) {
        return HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
    }

    @Test
    void recordsTextBinaryFragmentedAndControlMessagesBothWaysAsTheyPassUnchanged() throws Exception {
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho()); ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             WebSocketClient ws = WebSocketClient.open(client(proxy), URI.create("ws://" + origin.authority() + "/echo"))) {
            ws.socket().sendText("héllo ✓", true).join();
            assertEquals("héllo ✓", ws.next());
            byte[] binary = new byte[300];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i;
            }
            ws.socket().sendBinary(ByteBuffer.wrap(binary), true).join();
            assertArrayEquals(binary, (byte[]) ws.next());
            ws.socket().sendText("frag", false).join();
            ws.socket().sendText("ment", false).join();
            ws.socket().sendText("ed", true).join();
            assertEquals("fragmented", ws.next());
            ws.socket().sendPing(ByteBuffer.wrap("are you there".getBytes(StandardCharsets.UTF_8))).join();
            assertEquals("pong:are you there", ws.next());
            ws.socket().sendClose(1000, "bye").join();
            assertEquals("close:1000", ws.next());

            Flow flow = upgradedFlow(proxy, ws);
            List<WebSocketMessage> messages = flow.webSocket().orElseThrow().all();
            assertEquals(List.of("client TEXT héllo ✓", "server TEXT héllo ✓", "client BINARY 300", "server BINARY 300",
                            "client TEXT fragmented", "server TEXT fragmented", "client PING are you there",
                            "server PONG are you there", "client CLOSE 1000 bye", "server CLOSE 1000 bye"),
                    messages.stream().map(WebSocketMessagesTest::describe).toList());
            assertArrayEquals(binary, messages.get(2).content());
            for (int i = 0; i < messages.size(); i++) {
                assertEquals(i, messages.get(i).index());
            }
            assertEquals(List.of(), flow.notes());
        }
    }

    @Test
    void relays16MiBMessagesByteForByteAndKeepsTheirFirstBytes() throws Exception {
        byte[] big = new byte[16 * 1024 * 1024];
        new Random(6455).nextBytes(big);
        StringBuilder text = new StringBuilder(16 * 1024 * 1024);
        while (text.length() < 16 * 1024 * 1024) {
            text.append("wiretap ✓ ");
        }
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho()); ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             WebSocketClient ws = WebSocketClient.open(client(proxy), URI.create("ws://" + origin.authority() + "/echo"))) {
            ws.socket().sendBinary(ByteBuffer.wrap(big), true).join();
            assertArrayEquals(big, (byte[]) ws.next());
            ws.socket().sendText(text, true).join();
            assertEquals(text.toString(), ws.next());
            ws.socket().sendClose(1000, "").join();
            ws.next();

            Flow flow = upgradedFlow(proxy, ws);
            WebSocketMessage first = flow.webSocket().orElseThrow().all().get(0);
            assertEquals(big.length, first.size());
            assertTrue(first.isTruncated());
            assertArrayEquals(java.util.Arrays.copyOf(big, 1024 * 1024), first.content());
            assertEquals(4, flow.webSocket().orElseThrow().all().stream().filter(m -> m.type().isData()).count());
        }
    }

    @Test
    void readsMessagesInsideAnInterceptedTlsTunnel() throws Exception {
        try (TestOrigin origin = TestOrigin.startTls(ORIGIN_CA.serverContext("127.0.0.1"), new WebSocketEcho());
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             WebSocketClient ws = WebSocketClient.open(Interception.httpsClient(proxy),
                     URI.create("wss://" + origin.authority() + "/secure"))) {
            ws.socket().sendText("through TLS", true).join();
            assertEquals("through TLS", ws.next());
            ws.socket().sendClose(1000, "").join();
            ws.next();

            Flow flow = upgradedFlow(proxy, ws);
            assertEquals("https://" + origin.authority() + "/secure", flow.request().url());
            assertEquals(List.of("client TEXT through TLS", "server TEXT through TLS", "client CLOSE 1000 ", "server CLOSE 1000 "),
                    flow.webSocket().orElseThrow().all().stream().map(WebSocketMessagesTest::describe).toList());
        }
    }

    @Test
    void anAddonThatHoldsTheSocketChangesAndDropsMessages() throws Exception {
        Addon censor = new Addon() {
            @Override
            public boolean holdsWebSocketMessages(Flow flow) {
                return true;
            }

            @Override
            public void onWebSocketMessage(Flow flow, HeldMessage message) {
                if (message.message().fromClient() && message.message().text().equals("secret")) {
                    message.replaceText("[redacted, and longer than before]");
                } else if (message.message().fromClient() && message.message().text().equals("noise")) {
                    message.drop();
                }
            }
        };
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho());
             ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception(), List.of(censor));
             WebSocketClient ws = WebSocketClient.open(client(proxy), URI.create("ws://" + origin.authority() + "/echo"))) {
            ws.socket().sendText("secret", true).join();
            assertEquals("[redacted, and longer than before]", ws.next());
            ws.socket().sendText("noise", true).join();
            ws.socket().sendText("plain", true).join();
            assertEquals("plain", ws.next(), "the dropped message reached the server");
            ws.socket().sendClose(1000, "").join();
            ws.next();

            Flow flow = upgradedFlow(proxy, ws);
            assertTrue(flow.notes().contains("WebSocket message 0 (client to server) was replaced by an addon"), flow.notes().toString());
            assertTrue(flow.notes().contains("WebSocket message 2 (client to server) was dropped by an addon"), flow.notes().toString());
        }
    }

    @Test
    void keepsTheNewestMessagesWithinTheBoundAndSaysOlderOnesWent() throws Exception {
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho());
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> ORIGIN_CA.interception().apply(s.withCapture(s.capture().withMaxMessages(3))));
             WebSocketClient ws = WebSocketClient.open(client(proxy), URI.create("ws://" + origin.authority() + "/echo"))) {
            for (int i = 0; i < 4; i++) {
                ws.socket().sendText("m" + i, true).join();
                assertEquals("m" + i, ws.next());
            }
            ws.socket().sendClose(1000, "").join();
            ws.next();

            Flow flow = upgradedFlow(proxy, ws);
            var log = flow.webSocket().orElseThrow();
            assertEquals(List.of("client CLOSE 1000 ", "server CLOSE 1000 "), log.all().subList(1, 3).stream()
                    .map(WebSocketMessagesTest::describe).toList());
            assertEquals(7, log.dropped());
            assertEquals(10, log.total());
            assertTrue(flow.notes().get(0).startsWith("older WebSocket messages were let go"), flow.notes().toString());
        }
    }

    @Test
    void aSocketThatCarriesMessagesIsPublishedAsProgressing() throws Exception {
        try (TestOrigin origin = TestOrigin.start(new WebSocketEcho()); ProxyUnderTest proxy = ProxyUnderTest.start(ORIGIN_CA.interception());
             WebSocketClient ws = WebSocketClient.open(client(proxy), URI.create("ws://" + origin.authority() + "/echo"))) {
            ws.socket().sendText("live", true).join();
            assertEquals("live", ws.next());
            Flow live = proxy.nextEvent(FlowEvent.Progressed.class).flow();
            assertFalse(live.isDone());
            assertEquals(live, proxy.wiretap().history().get(live.id()).orElseThrow(), "the store holds the live flow");
            assertTrue(live.webSocket().orElseThrow().total() >= 1);
        }
    }

    /** The flow of the upgraded request (the CONNECT the JDK client opens first is skipped). */
    static Flow upgradedFlow(ProxyUnderTest proxy, WebSocketClient ws) throws InterruptedException {
        if (ws != null) {
            ws.close(); // the JDK's client leaves the connection to the server to close
        }
        while (true) {
            Flow flow = proxy.nextFinishedFlow();
            if (!flow.request().isMethod("CONNECT")) {
                return flow;
            }
        }
    }

    static String describe(WebSocketMessage m) {
        String who = m.fromClient() ? "client " : "server ";
        return switch (m.type()) {
            case BINARY -> who + "BINARY " + m.size();
            case CLOSE -> who + "CLOSE " + m.closeCode() + " " + m.closeReason();
            default -> who + m.type() + " " + m.text();
        };
    }
}
