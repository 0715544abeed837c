package dev.wiretap.proxy.flow;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A WebSocket data message as the addons' {@code onWebSocketMessage} hook gets it: the message, and what the addons
 * decide for it. On a socket an addon holds ({@code Addon.holdsWebSocketMessages}), a message within the capture cap
 * waits whole until every addon has seen it and may be replaced ({@link #replace}) or dropped ({@link #drop}): a
 * replaced one goes on as one new frame, uncompressed. On any other socket, and for a message larger than the capture
 * cap, the message has already gone on: {@link #isChangeable()} is false and changes are refused.
 *
 * <p>Mutable, used on the relay thread of the message's direction only.
 */
public final class HeldMessage {

    private final WebSocketMessage message;
    private final boolean changeable;
    private byte[] replacement;
    private boolean dropped;

    public HeldMessage(WebSocketMessage message, boolean changeable) {
        this.message = Objects.requireNonNull(message);
        this.changeable = changeable;
    }

    /** The message as it came (content inflated, up to the capture cap). */
    public WebSocketMessage message() {
        return message;
    }

    /** Whether the message still waits, so that it may be replaced or dropped. */
    public boolean isChangeable() {
        return changeable;
    }

    /** Sends {@code content} in the message's place, as a message of the same type. */
    public void replace(byte[] content) {
        requireChangeable();
        this.replacement = content.clone();
        this.dropped = false;
    }

    /** Sends {@code text} (as UTF-8) in a text message's place. */
    public void replaceText(String text) {
        if (message.type() != WebSocketMessage.Type.TEXT) {
            throw new IllegalStateException("message " + message.index() + " is " + message.type() + ", not text");
        }
        replace(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends nothing in the message's place: the peer never sees it. */
    public void drop() {
        requireChangeable();
        dropped = true;
        replacement = null;
    }

    public boolean isDropped() {
        return dropped;
    }

    /** What goes on in the message's place, if an addon replaced it. */
    public Optional<byte[]> replacement() {
        return Optional.ofNullable(replacement).map(byte[]::clone);
    }

    private void requireChangeable() {
        if (!changeable) {
            throw new IllegalStateException("message " + message.index() + " has already gone on"
                    + " (the socket is not held by an addon, or the message is larger than the capture cap)");
        }
    }
}
