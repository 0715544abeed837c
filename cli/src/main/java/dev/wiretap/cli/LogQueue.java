package dev.wiretap.cli;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lines waiting for the log's writer, bounded by the bytes they hold rather than by their number: with {@code -v} a
 * line carries both heads (up to the header limit each), so a count that is harmless for short lines would let a
 * stalled standard output (a paused terminal, a pipe nobody reads) hold gigabytes. A line that would take the queue past
 * its budget is dropped and counted, for the writer to say how many went unshown. Notices (config reloads, counters,
 * the stop line) are never dropped: they are few, and count against the budget like the rest.
 *
 * <p>Thread-safe: connection threads {@link #offer}, anyone {@link #add}s, the log's writer thread drains and, once it
 * has written what it drained, {@link #release}s it: bytes drained but not yet written still count.
 */
final class LogQueue {

    /** What the queue may hold by default: thousands of verbose lines, and a bounded cost when nobody reads. */
    static final long DEFAULT_MAX_BYTES = 16L * 1024 * 1024;
    /** What an entry costs beyond its text: the queue's node, the entry, the line's record and its lists. */
    private static final long ENTRY_OVERHEAD = 128;

    /** One queued item and the bytes it was counted at. */
    record Entry(Object item, long bytes) {
    }

    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final long maxBytes;

    LogQueue(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the log's queue needs a positive budget, not " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** Queues a flow's line of about {@code textBytes}, or drops and counts it when the budget would be exceeded. */
    boolean offer(Object line, long textBytes) {
        long bytes = textBytes + ENTRY_OVERHEAD;
        if (queuedBytes.addAndGet(bytes) > maxBytes) {
            queuedBytes.addAndGet(-bytes);
            dropped.increment();
            return false;
        }
        queue.add(new Entry(line, bytes));
        return true;
    }

    /** Queues a notice whatever the budget. */
    void add(Object notice, long textBytes) {
        long bytes = textBytes + ENTRY_OVERHEAD;
        queuedBytes.addAndGet(bytes);
        queue.add(new Entry(notice, bytes));
    }

    /** Moves up to {@code max} entries to {@code batch}; their bytes count until {@link #release}d. */
    int drainTo(List<Entry> batch, int max) {
        return queue.drainTo(batch, max);
    }

    /** Gives back the budget of entries written. */
    void release(List<Entry> written) {
        long bytes = 0;
        for (Entry e : written) {
            bytes += e.bytes();
        }
        queuedBytes.addAndGet(-bytes);
    }

    /** Lines dropped since the last call. */
    long takeDropped() {
        return dropped.sumThenReset();
    }

    /** The bytes queued or drained and not yet released. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** About the bytes {@code text} holds on the heap (compact strings: one per Latin-1 character, else two). */
    static long sizeOf(String text) {
        return 24 + text.length() * 2L;
    }

    static long sizeOf(List<String> texts) {
        long bytes = 16;
        for (String s : texts) {
            bytes += sizeOf(s);
        }
        return bytes;
    }
}
