package dev.wiretap.config;

/**
 * What wiretap keeps of the traffic for inspection.
 *
 * @param maxBodyBytes     each request and response body is captured up to this many bytes (the rest still
 *                         flows through, and the flow notes the body as truncated); 0 keeps no bodies
 * @param storeBudgetBytes the flow store keeps recent flows until their estimated size reaches this; the
 *                         oldest go first. The engine lowers it to a quarter of the JVM's heap when the heap is smaller.
 */
public record CaptureSettings(int maxBodyBytes, long storeBudgetBytes) {

    public static final CaptureSettings DEFAULTS = new CaptureSettings(1024 * 1024, 256L * 1024 * 1024);

    public CaptureSettings {
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, got " + maxBodyBytes);
        }
        if (storeBudgetBytes < 0) {
            throw new IllegalArgumentException("storeBudgetBytes must not be negative, got " + storeBudgetBytes);
        }
    }

    public CaptureSettings withMaxBodyBytes(int value) {
        return new CaptureSettings(value, storeBudgetBytes);
    }

    public CaptureSettings withStoreBudgetBytes(long value) {
        return new CaptureSettings(maxBodyBytes, value);
    }
}
