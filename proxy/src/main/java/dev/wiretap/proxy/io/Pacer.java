package dev.wiretap.proxy.io;

import java.io.InterruptedIOException;

/**
 * Holds one direction of one exchange to a rate in bytes per second (a throttle rule). The relay sends at most
 * {@link #chunkBytes()} at a time and reports each send with {@link #sent}, which sleeps while the sender is ahead of
 * the rate. A token bucket that holds one chunk: a sender that idles (a slow origin) earns no more than one chunk of
 * credit, so the rate holds over any stretch, and the pauses are short (about 1/16 s) rather than one long wait.
 *
 * <p>Made per relay and used by its connection's (virtual) thread only; the sleeps park that thread alone. Time is a
 * parameter ({@link Clock}) so that tests can pace without waiting.
 */
public final class Pacer {

    /** Where the pacer reads the time and waits; {@link #SYSTEM} in wiretap, a fake one in tests. */
    public interface Clock {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };
    }

    /** About 16 pauses a second; a chunk never exceeds 16 KiB, so a high rate still moves smoothly. */
    private static final int PAUSES_PER_SECOND = 16;
    private static final int MAX_CHUNK_BYTES = 16 * 1024;

    private final long bytesPerSecond;
    private final int chunkBytes;
    private final long burstNanos;
    private final Clock clock;
    /** When everything reported so far will have been paid for at the rate (the bucket's level, as a time). */
    private long paidUntilNanos;
    private boolean started;

    public Pacer(long bytesPerSecond) {
        this(bytesPerSecond, Clock.SYSTEM);
    }

    public Pacer(long bytesPerSecond, Clock clock) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a pace must be at least 1 byte per second: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.chunkBytes = (int) Math.max(1, Math.min(MAX_CHUNK_BYTES, bytesPerSecond / PAUSES_PER_SECOND));
        this.burstNanos = nanosFor(chunkBytes);
        this.clock = clock;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** The most to send between two calls of {@link #sent}. */
    public int chunkBytes() {
        return chunkBytes;
    }

    /**
     * Records that {@code bytes} more have gone out, and waits until the rate allows the next chunk.
     *
     * @throws InterruptedIOException if the thread was interrupted while waiting (its flag is set again)
     */
    public void sent(long bytes) throws InterruptedIOException {
        if (bytes <= 0) {
            return;
        }
        long now = clock.nanoTime();
        if (!started || paidUntilNanos - now < 0) {
            paidUntilNanos = now; // idle time earns no credit beyond the one chunk of burst below
            started = true;
        }
        paidUntilNanos += nanosFor(bytes);
        long wait = paidUntilNanos - now - burstNanos;
        if (wait > 0) {
            try {
                clock.sleepNanos(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while throttled");
            }
        }
    }

    private long nanosFor(long bytes) {
        return (long) (bytes * 1e9 / bytesPerSecond);
    }
}
