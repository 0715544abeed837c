package dev.wiretap.config;

/**
 * What wiretap keeps of the traffic for inspection.
 *
 * @param maxBodyBytes     each request and response body is captured up to this many bytes (the rest still
 *                         flows through, and the flow notes the body as truncated); 0 keeps no bodies
 * @param storeBudgetBytes the flow store keeps recent flows until their estimated size reaches this; the
 *                         oldest go first. The engine lowers it to a quarter of the JVM's heap when the heap is smaller.
 * @param maxPaused        at most this many flows wait paused by intercept at once (each holds its client connection
 *                         and its message); a flow the intercept selects past it goes on without pausing
 * @param maxPausedBytes   the bodies that paused flows hold in memory, in all, stay within this; a flow whose body
 *                         would pass it goes on without pausing
 */
public record CaptureSettings(int maxBodyBytes, long storeBudgetBytes, int maxPaused, long maxPausedBytes) {

    public static final int DEFAULT_MAX_PAUSED = 100;
    public static final long DEFAULT_MAX_PAUSED_BYTES = 64L * 1024 * 1024;
    public static final CaptureSettings DEFAULTS = new CaptureSettings(1024 * 1024, 256L * 1024 * 1024);

    public CaptureSettings {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, got " + maxBodyBytes);
        }
        if (storeBudgetBytes < 0) {
            throw new IllegalArgumentException("storeBudgetBytes must not be negative, got " + storeBudgetBytes);
        }
        if (maxPaused < 0) {
            throw new IllegalArgumentException("maxPaused must not be negative, got " + maxPaused);
        }
        if (maxPausedBytes < 0) {
            throw new IllegalArgumentException("maxPausedBytes must not be negative, got " + maxPausedBytes);
        }
    }

    /** Body capture and the store's budget as given; the intercept's limits at their defaults. */
    public CaptureSettings(int maxBodyBytes, long storeBudgetBytes) {
        this(maxBodyBytes, storeBudgetBytes, DEFAULT_MAX_PAUSED, DEFAULT_MAX_PAUSED_BYTES);
    }

    public CaptureSettings withMaxBodyBytes(int value) {
        return new CaptureSettings(value, storeBudgetBytes, maxPaused, maxPausedBytes);
    }

    public CaptureSettings withStoreBudgetBytes(long value) {
        return new CaptureSettings(maxBodyBytes, value, maxPaused, maxPausedBytes);
    }

    public CaptureSettings withMaxPaused(int value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, value, maxPausedBytes);
    }

    public CaptureSettings withMaxPausedBytes(long value) {
        return new CaptureSettings(maxBodyBytes, storeBudgetBytes, maxPaused, value);
    }
}
