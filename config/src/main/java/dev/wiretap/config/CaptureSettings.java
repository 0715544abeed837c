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
 * @param maxPaused        at most this many flows wait paused by intercept at once (each holds its client connection
 *                         and its message); a flow the intercept selects past it goes on without pausing
 * @param maxPausedBytes   the bodies that paused flows hold in memory, in all, stay within this; a flow whose body
 *                         would pass it goes on without pausing
 * @param inFlightBudgetBytes the bodies of flows in flight are captured within this much memory in all; a body that
 *                         finds it spent is captured no further (it still flows through whole, and its flow says so).
 *                         The engine lowers it to an eighth of the JVM's heap when the heap is smaller
 */
public record CaptureSettings(int maxBodyBytes, long storeBudgetBytes, int maxMessages, int maxPaused, long maxPausedBytes,
                              long inFlightBudgetBytes) {

    /** A WebSocket's kept messages hold at most this many capture caps of content together. */
    public static final int MESSAGE_BYTES_PER_CAP = 8;

    /** WebSocket messages kept per flow by default. */
    public static final int DEFAULT_MAX_MESSAGES = 1000;
    public static final int DEFAULT_MAX_PAUSED = 100;
    public static final long DEFAULT_MAX_PAUSED_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_IN_FLIGHT_BUDGET_BYTES = 64L * 1024 * 1024;

    public static final CaptureSettings DEFAULTS = new CaptureSettings(1024 * 1024, 256L * 1024 * 1024);

    public CaptureSettings {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, got " + maxBodyBytes);
        }
        if (storeBudgetBytes < 0) {
            throw new IllegalArgumentException("storeBudgetBytes must not be negative, got " + storeBudgetBytes);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be at least 1, got " + maxMessages);
        }
        if (maxPaused < 0) {
            throw new IllegalArgumentException("maxPaused must not be negative, got " + maxPaused);
        }
        if (inFlightBudgetBytes < 0) {
            throw new IllegalArgumentException("inFlightBudgetBytes must not be negative, got " + inFlightBudgetBytes);
        }
        if (maxPausedBytes < 0) {
            throw new IllegalArgumentException("maxPausedBytes must not be negative, got " + maxPausedBytes);
        }
    }

    /** Body capture and the store's budget as given; the WebSocket, intercept and in-flight limits at their defaults. */
    public CaptureSettings(int maxBodyBytes, long storeBudgetBytes) {
        this(maxBodyBytes, storeBudgetBytes, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_PAUSED, DEFAULT_MAX_PAUSED_BYTES,
                DEFAULT_IN_FLIGHT_BUDGET_BYTES);
    }

    public CaptureSettings withMaxBodyBytes(int value) {
        return new CaptureSettings(value, storeBudgetBytes, maxMessages, maxPaused, maxPausedBytes, inFlightBudgetBytes);
    }

    public CaptureSettings withStoreBudgetBytes(long value) {
        return new CaptureSettings(maxBodyBytes, value, maxMessages, maxPaused, maxPausedBytes, inFlightBudgetBytes);
    }

    public CaptureSettings withMaxMessages(int value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, value, maxPaused, maxPausedBytes, inFlightBudgetBytes);
    }

    public CaptureSettings withMaxPaused(int value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, maxMessages, value, maxPausedBytes, inFlightBudgetBytes);
    }

    public CaptureSettings withMaxPausedBytes(long value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, maxMessages, maxPaused, value, inFlightBudgetBytes);
    }

    public CaptureSettings withInFlightBudgetBytes(long value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, maxMessages, maxPaused, maxPausedBytes, value);
    }

    /** The most content a WebSocket's kept messages hold together. */
    public long maxMessageBytesKept() {
        return (long) MESSAGE_BYTES_PER_CAP * Math.max(maxBodyBytes, 1024);
    }
}
