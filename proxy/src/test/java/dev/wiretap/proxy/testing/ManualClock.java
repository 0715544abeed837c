package dev.wiretap.proxy.testing;

import dev.wiretap.proxy.io.Pacer;

/** A clock for pacing tests that moves only when told to or when someone sleeps on it, and counts the sleeps. */
public final class ManualClock implements Pacer.Clock {

    private long now = 1_000_000_000L;
    private long slept;
    private int sleeps;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void sleepNanos(long nanos) {
        now += nanos;
        slept += nanos;
        sleeps++;
    }

    public void advance(long nanos) {
        now += nanos;
    }

    /** Nanoseconds slept in all. */
    public long slept() {
        return slept;
    }

    public int sleeps() {
        return sleeps;
    }
}
