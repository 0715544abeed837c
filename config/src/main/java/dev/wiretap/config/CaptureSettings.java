package dev.wiretap.config;

/**
 * What wiretap keeps of the traffic for inspection.
 *
 * @param maxBodyBytes     each request and response body is captured up to this many bytes (the rest still
 *                         flows through, and the flow notes the body as truncated); 0 keeps no bodies
 * @param storeBudgetBytes the flow store keeps recent flows until their estimated size reaches this; the
 *                         oldest go first. The engine lowers it to a quarter of the JVM's heap when the heap is smaller.
 * @param maxMessages      a WebSocket's flow keeps its newest messages up to this many (and, of their content, at most
 *                         {@link #MESSAGE_BYTES_PER_CAP} times {@code maxBodyBytes}); older ones are let go, and counted
 */
public record CaptureSettings(int maxBodyBytes, long storeBudgetBytes, int maxMessages) {

    /** A WebSocket's kept messages hold at most this many capture caps of content together. */
    public static final int MESSAGE_BYTES_PER_CAP = 8;

    /** WebSocket messages kept per flow by default. */
    public static final int DEFAULT_MAX_MESSAGES = 1000;

    public static final CaptureSettings DEFAULTS = new CaptureSettings(1024 * 1024, 256L * 1024 * 1024, DEFAULT_MAX_MESSAGES);

    /** Body capture and store budget, with the default number of WebSocket messages kept. */
    public CaptureSettings(int maxBodyBytes, long storeBudgetBytes) {
        this(maxBodyBytes, storeBudgetBytes, DEFAULT_MAX_MESSAGES);
    }

    public CaptureSettings {
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
        }
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, got " + maxBodyBytes);
        }
        if (storeBudgetBytes < 0) {
            throw new IllegalArgumentException("storeBudgetBytes must not be negative, got " + storeBudgetBytes);
        }
    }

    public CaptureSettings withMaxBodyBytes(int value) {
        return new CaptureSettings(value, storeBudgetBytes, maxMessages);
    }

    public CaptureSettings withStoreBudgetBytes(long value) {
        return new CaptureSettings(maxBodyBytes, value, maxMessages);
    }

    public CaptureSettings withMaxMessages(int value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, value);
    }

    /** The most content a WebSocket's kept messages hold together. */
    public long maxMessageBytesKept() {
        return (long) MESSAGE_BYTES_PER_CAP * Math.max(maxBodyBytes, 1024);
    }
}
