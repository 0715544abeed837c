package dev.wiretap.proxy.flow;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One message of a WebSocket (RFC 6455) as it went through wiretap: which way, what kind (text, binary, or a control
 * frame: ping, pong, close), when it ended, its size, and its content as far as captured. A {@code permessage-deflate}
 * message (RFC 7692) is kept inflated: {@link #content()} is what the application sent, {@link #wireSize()} what went
 * over the wire. Immutable; made by the engine's WebSocket relay as each message ends.
 *
 * @param index     its place among the socket's messages, both directions counted, from 0
 * @param fromClient whether the client sent it (else the server)
 * @param type      what kind of message it is
 * @param time      when its last frame went through
 * @param wireSize  payload bytes on the wire, all frames together (compressed, for a compressed message)
 * @param size      the message's size as the application sees it (inflated); equal to {@code wireSize} when not compressed
 * @param compressed whether it was sent compressed (permessage-deflate)
 * @param closeCode for a close frame, the status code it carried, or -1 for none
 * @param closeReason for a close frame, the reason it carried (may be empty)
 */
public record WebSocketMessage(long index, boolean fromClient, Type type, Instant time, long wireSize, long size,
                               boolean compressed, byte[] content, int closeCode, String closeReason) {

    /** The kinds of messages: the two data kinds and the three control frames. */
    public enum Type {
        TEXT, BINARY, PING, PONG, CLOSE;

        /** The type's opcode (RFC 6455 section 5.2). */
        public int opcode() {
            return switch (this) {
                case TEXT -> 0x1;
                case BINARY -> 0x2;
                case CLOSE -> 0x8;
                case PING -> 0x9;
                case PONG -> 0xA;
            };
        }

        /** A data message (text or binary), as opposed to a control frame. */
        public boolean isData() {
            return this == TEXT || this == BINARY;
        }
    }

    public WebSocketMessage {
        Objects.requireNonNull(type);
        Objects.requireNonNull(time);
        Objects.requireNonNull(content);
        Objects.requireNonNull(closeReason);
    }

    /** The captured content (at most the capture cap; inflated); not a copy: do not change it. */
    @Override
    public byte[] content() {
        return content;
    }

    /** Whether the content was cut at the capture cap. */
    public boolean isTruncated() {
        return content.length < size;
    }

    /** The content as UTF-8 text (a text message's own encoding, RFC 6455 section 5.6). */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /** A rough count of the heap this message holds. */
    long estimatedBytes() {
        return 96L + content.length + 2L * closeReason.length();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebSocketMessage m && index == m.index && fromClient == m.fromClient && type == m.type
                && time.equals(m.time) && wireSize == m.wireSize && size == m.size && compressed == m.compressed
                && Arrays.equals(content, m.content) && closeCode == m.closeCode && closeReason.equals(m.closeReason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, fromClient, type, time, size) * 31 + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "WebSocketMessage[#" + index + (fromClient ? " client->server " : " server->client ") + type + ", " + size
                + " bytes" + (compressed ? ", compressed " + wireSize : "") + (closeCode >= 0 ? ", code " + closeCode : "") + "]";
    }
}
