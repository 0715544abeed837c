package dev.wiretap.proxy.http2;

import java.util.function.LongSupplier;

/**
 * How many times something may happen per second, on average over ten seconds: a window of ten seconds holds ten times
 * the rate, and a new window starts when one has passed. What keeps a peer from resetting streams or sending control
 * frames faster than any real client does (rapid reset, SETTINGS and PING floods). Used by one connection's reader.
 */
final class RateBudget {

    private static final long WINDOW_NANOS = 10_000_000_000L;

    private final long allowed;
    private final LongSupplier clock;
    private long windowStart;
    private long count;

    RateBudget(int perSecond, LongSupplier clock) {
        this.allowed = perSecond * 10L;
        this.clock = clock;
        this.windowStart = clock.getAsLong();
    }

    /** Counts one more; false once the window's allowance is spent. */
    boolean spend() {
        long now = clock.getAsLong();
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            count = 0;
        }
        return ++count <= allowed;
    }
}
