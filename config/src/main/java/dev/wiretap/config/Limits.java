package dev.wiretap.config;

/**
 * Size limits on what a peer may send in a message head. Each breach has its own status:
 * a request target over {@code maxTargetBytes} gets 414, a head over {@code maxHeaderBytes} or with more than
 * {@code maxHeaderCount} fields gets 431, a chunk-size line over {@code maxChunkLineBytes} gets 400.
 * The same header limits apply to responses from origins (a breach there is a 502).
 */
public record Limits(int maxTargetBytes, int maxHeaderBytes, int maxHeaderCount, int maxChunkLineBytes) {

    /** 8 KiB target (as nginx and most servers), 64 KiB head, 200 fields, 4 KiB chunk-size line. */
    public static final Limits DEFAULTS = new Limits(8 * 1024, 64 * 1024, 200, 4 * 1024);

    public Limits {
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
        return new Limits(value, maxHeaderBytes, maxHeaderCount, maxChunkLineBytes);
    }

    public Limits withMaxHeaderBytes(int value) {
        return new Limits(maxTargetBytes, value, maxHeaderCount, maxChunkLineBytes);
    }

    public Limits withMaxHeaderCount(int value) {
        return new Limits(maxTargetBytes, maxHeaderBytes, value, maxChunkLineBytes);
    }
}
