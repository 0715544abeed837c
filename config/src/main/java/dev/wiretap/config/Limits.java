package dev.wiretap.config;

/**
 * Size limits on what a peer may send in a message head. Each breach has its own status:
 * a request target over {@code maxTargetBytes} gets 414, a head over {@code maxHeaderBytes} or with more than
 * {@code maxHeaderCount} fields gets 431, a chunk-size line over {@code maxChunkLineBytes} gets 400.
 * The same header limits apply to responses from origins (a breach there is a 502). A WebSocket message over
 * {@code maxWebSocketMessageBytes} (on the wire, or inflated) closes the socket with 1009 (RFC 6455 section 7.4.1).
 */
public record Limits(int maxTargetBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkLineBytes,
                     long maxWebSocketMessageBytes) {

    /** The default largest WebSocket message: 256 MiB. */
    public static final long DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES = 256L * 1024 * 1024;

    /** 8 KiB target (as nginx and most servers), 64 KiB head, 200 fields, 4 KiB chunk-size line, 256 MiB WebSocket message. */
    public static final Limits DEFAULTS = new Limits(8 * 1024, 64 * 1024, 200, 4 * 1024);

    /** The head limits, with the default WebSocket message limit. */
    public Limits(int maxTargetBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkLineBytes) {
        this(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES);
    }

    public Limits {
        if (maxWebSocketMessageBytes <= 0) {
            throw new IllegalArgumentException("maxWebSocketMessageBytes must be positive, got " + maxWebSocketMessageBytes);
        }
        positive("maxTargetBytes", maxTargetBytes);
        positive("maxHeaderBytes", maxHeaderBytes);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxChunkLineBytes", maxChunkLineBytes);
        if (maxChunkLineBytes < 32) {
            throw new IllegalArgumentException("maxChunkLineBytes must be at least 32, got " + maxChunkLineBytes);
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    public Limits withMaxTargetBytes(int value) {
        return new Limits(value, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes);
    }

    public Limits withMaxHeaderBytes(int value) {
        return new Limits(maxTargetBytes, value, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes);
    }

    public Limits withMaxHeaderCount(int value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, value, maxChunkLineBytes, maxWebSocketMessageBytes);
    }

    public Limits withMaxWebSocketMessageBytes(long value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, value);
    }
}
