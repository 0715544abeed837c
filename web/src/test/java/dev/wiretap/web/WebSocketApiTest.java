package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.WebSocketEcho;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket in the JSON API: its messages in the flow's detail and from a message on, and the live stream's batched
 * {@code messages} event while the socket is open. The client speaks frames by hand (absolute-form handshake to the
 * proxy, masked frames), the origin is an echo server.
 */
class WebSocketApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebUnderTest wiretap;
    private TestOrigin echo;

    @BeforeEach
    void start() throws IOException {
        wiretap = WebUnderTest.start();
        echo = TestOrigin.start(new WebSocketEcho());
    }

    @AfterEach
    void stop() throws IOException {
        echo.close();
        wiretap.close();
    }

    /** Opens a socket to the echo origin through the proxy. */
    static RawClient openSocket(WebUnderTest wiretap, TestOrigin echo) throws IOException {
        RawClient client = new RawClient(wiretap.wiretap().address());
        client.send("GET " + echo.url("/live") + " HTTP/1.1\r\nHost: " + echo.authority() + "\r\nConnection: Upgrade\r\n"
                + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        assertTrue(client.readHead().startsWith("HTTP/1.1 101"));
        return client;
    }

    /** Sends a masked text frame and reads the echo's unmasked one back. */
    static void say(RawClient client, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] key = {9, 8, 7, 6};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ key[i & 3]);
        }
        client.send(frame.toByteArray());
        byte[] back = client.in().readNBytes(2 + payload.length);
        assertEquals(text, new String(back, 2, payload.length, StandardCharsets.UTF_8));
    }

    static Flow socketFlow(WebUnderTest wiretap, long messages) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<Flow> found = wiretap.wiretap().history().recent(10, f -> f.webSocket().isPresent());
            if (!found.isEmpty() && found.getLast().webSocket().get().total() >= messages) {
                return found.getLast();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no WebSocket flow with " + messages + " messages");
    }

    @Test
    void aSocketsMessagesAreInItsDetailAndFromAMessageOnAndTheStreamSaysWhenItGrows() throws Exception {
        try (RawClient client = openSocket(wiretap, echo)) {
            say(client, "first ✓");
            long id = socketFlow(wiretap, 2).id();

            JsonNode detail = JSON.readTree(wiretap.api("/api/flows/" + id).body());
            JsonNode ws = detail.get("webSocket");
            assertEquals(2, ws.get("total").asInt());
            assertEquals(0, ws.get("dropped").asInt());
            JsonNode sent = ws.get("messages").get(0);
            assertEquals("send", sent.get("direction").asText());
            assertEquals("text", sent.get("type").asText());
            assertEquals("first ✓", sent.get("text").asText());
            assertEquals("first ✓".getBytes(StandardCharsets.UTF_8).length, sent.get("size").asInt());
            assertTrue(sent.get("time").asDouble() > 1.7e12, "not ms since the epoch: " + sent);
            assertEquals("receive", ws.get("messages").get(1).get("direction").asText());

            FlowsApiTest.EventLines events = FlowsApiTest.EventLines.open(wiretap, "");
            events.await("event: hello");
            say(client, "second");
            events.await("event: messages");
            JsonNode grew = JSON.readTree(events.await("data: ").substring(6)).get("flows").get(0);
            assertEquals(id, grew.get("id").asLong());
            assertTrue(grew.get("messages").asInt() >= 3, grew.toString());
            events.close();

            socketFlow(wiretap, 4);
            JsonNode from = JSON.readTree(wiretap.api("/api/flows/" + id + "/messages?from=2").body());
            assertTrue(from.get("open").asBoolean());
            assertEquals(List.of("second", "second"), from.get("messages").findValuesAsText("text"));
            assertEquals(404, wiretap.api("/api/flows/999/messages").statusCode());
        }
    }
}
