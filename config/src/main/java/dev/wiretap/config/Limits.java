package dev.wiretap.config;

/**
 * Limits on what peers may send and how many clients may connect. Each breach of a head limit has its own status:
 * a request target over {@code maxTargetBytes} gets 414, a head over {@code maxHeaderBytes} or with more than
 * {@code maxHeaderCount} fields gets 431, a chunk-size line over {@code maxChunkLineBytes} gets 400.
 * The same header limits apply to responses from origins (a breach there is a 502). A WebSocket message over
 * {@code maxWebSocketMessageBytes} (on the wire, or inflated) closes the socket with 1009 (RFC 6455 section 7.4.1).
 *
 * @param minBodyRate          bytes a second a client must keep up, on average, while it sends a request body; a client
 *                             that falls {@link Timeouts#clientBody()} behind gets 408 (0: the body must arrive within
 *                             that time of waiting, in all)
 * @param maxClientConnections client connections open at once; at the limit, wiretap accepts the next one only when
 *                             another has closed (it waits in the listening socket's queue)
 */
public record Limits(int maxTargetBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkLineBytes,
                     long maxWebSocketMessageBytes, long minBodyRate, int maxClientConnections) {

    /** The default largest WebSocket message: 256 MiB. */
    public static final long DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES = 256L * 1024 * 1024;

    /** The default pace a request body must keep: 500 bytes a second, as Apache's mod_reqtimeout. */
    public static final long DEFAULT_MIN_BODY_RATE = 500;

    /** The default most client connections at once. */
    public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 10_000;

    /** 8 KiB target (as nginx and most servers), 64 KiB head, 200 fields, 4 KiB chunk-size line, 256 MiB WebSocket message. */
    public static final Limits DEFAULTS = new Limits(8 * 1024, 64 * 1024, 200, 4 * 1024);

    /** The head limits, with the default WebSocket message, body rate and connection limits. */
    public Limits(int maxTargetBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkLineBytes) {
        this(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, DEFAULT_MAX_WEBSOCKET_MESSAGE_BYTES,
                DEFAULT_MIN_BODY_RATE, DEFAULT_MAX_CLIENT_CONNECTIONS);
    }

    public Limits {
        if (maxWebSocketMessageBytes <= 0) {
            throw new IllegalArgumentException("maxWebSocketMessageBytes must be positive, got " + maxWebSocketMessageBytes);
        }
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("minBodyRate must not be negative, got " + minBodyRate);
        }
        positive("maxClientConnections", maxClientConnections);
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
        return new Limits(value, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes, minBodyRate, maxClientConnections);
    }

    public Limits withMaxHeaderBytes(int value) {
        return new Limits(maxTargetBytes, value, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes, minBodyRate, maxClientConnections);
    }

    public Limits withMaxHeaderCount(int value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, value, maxChunkLineBytes, maxWebSocketMessageBytes, minBodyRate, maxClientConnections);
    }

    public Limits withMaxChunkLineBytes(int value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, maxHeaderCount, value, maxWebSocketMessageBytes, minBodyRate, maxClientConnections);
    }

    public Limits withMaxWebSocketMessageBytes(long value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, value, minBodyRate, maxClientConnections);
    }

    public Limits withMinBodyRate(long value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes, value, maxClientConnections);
    }

    public Limits withMaxClientConnections(int value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes, maxWebSocketMessageBytes, minBodyRate, value);
    }
}
