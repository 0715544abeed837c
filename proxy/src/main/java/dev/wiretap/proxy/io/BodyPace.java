package dev.wiretap.proxy.io;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The pace a client must keep while it sends a request body ({@code limits.min_body_rate}), and how far it may fall
 * behind it ({@code timeouts.client_body}), as Apache's mod_reqtimeout and nginx's client_body_timeout bound slow
 * uploads. Only the time spent waiting for the client's bytes counts: each wait uses up time, each byte that arrives
 * earns {@code 1/rate} seconds back, and the time in hand never exceeds the grace. So a client may pause or start slowly
 * for up to the grace, and must then keep up the rate on average; time spent while the origin is slow to take the body
 * (or a throttle holds it back) is no wait for the client's bytes and costs it nothing. A client that falls too far
 * behind has its read cut off with {@link TooSlow}.
 *
 * <p>Kept per connection (or stream) and {@link #start() started} anew for each body. Not thread-safe: the thread
 * reading the body owns it.
 */
public final class BodyPace {

    private final long graceNanos;
    private final long minBytesPerSecond;
    private long leftNanos;

    /**
     * @param grace             how far behind the rate a client may fall, in time waited for its bytes
     * @param minBytesPerSecond the rate; 0: the grace is all the waiting a body gets
     */
    public BodyPace(Duration grace, long minBytesPerSecond) {
        this.graceNanos = grace.toNanos();
        this.minBytesPerSecond = minBytesPerSecond;
        this.leftNanos = graceNanos;
    }

    /** A new body begins: the whole grace is in hand. */
    public void start() {
        leftNanos = graceNanos;
    }

    /** When a wait for the client's bytes that begins at {@code nowNanos} must end. */
    public long deadline(long nowNanos) {
        return nowNanos + Math.max(0, leftNanos);
    }

    /** Whether the client has fallen too far behind already (the next wait would end at once). */
    public boolean isSpent() {
        return leftNanos <= 0;
    }

    /** Counts a wait of {@code waitedNanos} that brought {@code bytes}. */
    public void waited(long waitedNanos, long bytes) {
        long earned = minBytesPerSecond == 0 || bytes <= 0 ? 0 : bytes * 1_000_000_000L / minBytesPerSecond;
        leftNanos = Math.min(graceNanos, leftNanos - waitedNanos + earned);
    }

    /** The failure of a read the pace cut off, saying why. */
    public TooSlow tooSlow() {
        return new TooSlow(minBytesPerSecond == 0
                ? "the request body did not arrive within " + seconds(graceNanos) + " of waiting (timeouts.client_body)"
                : "the request body came too slowly: it fell " + seconds(graceNanos) + " behind " + minBytesPerSecond
                        + " bytes a second (timeouts.client_body, limits.min_body_rate)");
    }

    private static String seconds(long nanos) {
        long ms = nanos / 1_000_000;
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** A read of a request body cut off because the client fell too far behind the pace. */
    public static final class TooSlow extends SocketTimeoutException {
        TooSlow(String message) {
            super(message);
        }
    }
}
