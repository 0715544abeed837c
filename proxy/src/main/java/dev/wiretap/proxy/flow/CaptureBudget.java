package dev.wiretap.proxy.flow;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that the bodies of flows in flight may capture, all of them together ({@code capture.in_flight_budget}):
 * without it, a thousand slow uploads that each declare a megabyte would each be given room for one. Each exchange draws
 * on it through its own {@link CaptureAccount}, in chunks (each time a capture's array grows, never per read), and gives
 * everything back when its flow ends, after the flow store has taken its copy.
 *
 * <p>Thread-safe: drawn on by every connection's thread.
 */
public final class CaptureBudget {

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();

    /** @param limitBytes the most bytes captures of flows in flight hold at once */
    public CaptureBudget(long limitBytes) {
        if (limitBytes < 0) {
            throw new IllegalArgumentException("a capture budget must not be negative, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /** A budget that never runs out: for captures outside the engine (imported files, tests). */
    public static CaptureBudget unlimited() {
        return new CaptureBudget(Long.MAX_VALUE);
    }

    /** An account for one flow's captures, each keeping at most {@code capBytes}; notes go on {@code flow} (may be null). */
    public CaptureAccount open(int capBytes, Flow flow) {
        return new CaptureAccount(this, capBytes, flow);
    }

    /** Takes {@code bytes} if they fit; false (nothing taken) if they would pass the limit. */
    boolean take(long bytes) {
        while (true) {
            long now = used.get();
            if (bytes > limitBytes - now) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Takes as much of {@code bytes} as is left, perhaps nothing; returns how much it took. */
    long takeUpTo(long bytes) {
        while (true) {
            long now = used.get();
            long taken = Math.min(bytes, limitBytes - now);
            if (taken <= 0) {
                return 0;
            }
            if (used.compareAndSet(now, now + taken)) {
                return taken;
            }
        }
    }

    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes held by captures of flows in flight now. */
    public long usedBytes() {
        return used.get();
    }

    public long limitBytes() {
        return limitBytes;
    }
}
