package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.content.EventStream;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.WebSocketMessage;
import dev.wiretap.proxy.flow.WebSocketMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A WebSocket's messages and a server-sent event stream's events as the API writes them (docs/web-api.md): in a flow's
 * detail, and from a message on for the live messages tab ({@code GET /api/flows/{n}/messages?from=K}). Stateless;
 * called on the API's threads.
 */
final class MessagesJson {

    private MessagesJson() {
    }

    /**
     * {@code "webSocket": {total, dropped, messages: [...]}}: how many messages the socket carried, how many of the oldest
     * were let go, and the kept ones from index {@code from} on.
     */
    static void write(WebSocketMessages ws, long from, JsonGenerator g) throws IOException {
        List<WebSocketMessage> kept = ws.from(from);
        g.writeNumberField("total", ws.total());
        g.writeNumberField("dropped", ws.dropped());
        g.writeArrayFieldStart("messages");
        for (WebSocketMessage m : kept) {
            message(m, g);
        }
        g.writeEndArray();
    }

    /**
     * index, direction (send: client to server, receive: server to client, as Chrome names them), type, time (ms since
     * the epoch), size (as the application sees it), wireSize, compressed, truncated, closeCode and closeReason (a close
     * frame's, else null), text (text, ping and pong payloads, and a close's reason) or base64 (binary).
     */
    private static void message(WebSocketMessage m, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", m.index());
        g.writeStringField("direction", m.fromClient() ? "send" : "receive");
        g.writeStringField("type", m.type().name().toLowerCase(Locale.ROOT));
        g.writeNumberField("time", m.time().toEpochMilli() + (m.time().getNano() % 1_000_000) / 1e6);
        g.writeNumberField("size", m.size());
        g.writeNumberField("wireSize", m.wireSize());
        g.writeBooleanField("compressed", m.compressed());
        g.writeBooleanField("truncated", m.isTruncated());
        if (m.type() == WebSocketMessage.Type.CLOSE) {
            if (m.closeCode() >= 0) {
                g.writeNumberField("closeCode", m.closeCode());
            } else {
                g.writeNullField("closeCode");
            }
            g.writeStringField("closeReason", m.closeReason());
        } else {
            g.writeNullField("closeCode");
            g.writeNullField("closeReason");
        }
        if (m.type() == WebSocketMessage.Type.BINARY || m.type() == WebSocketMessage.Type.CLOSE) {
            g.writeNullField("text");
            g.writeStringField("base64", Base64.getEncoder().encodeToString(m.content()));
        } else {
            g.writeStringField("text", new String(m.content(), StandardCharsets.UTF_8));
            g.writeNullField("base64");
        }
        g.writeEndObject();
    }

    /** {@code "events": [{type, id, data}], "pendingEvent": text}: a text/event-stream body as its events. */
    static void events(Body body, JsonGenerator g) throws IOException {
        EventStream stream = EventStream.parse(body.text(StandardCharsets.UTF_8));
        g.writeArrayFieldStart("events");
        for (EventStream.Event e : stream.events()) {
            g.writeStartObject();
            g.writeStringField("type", e.type());
            g.writeStringField("id", e.id());
            g.writeStringField("data", e.data());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("pendingEvent", stream.pending());
    }
}
