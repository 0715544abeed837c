package dev.wiretap.proxy.flow;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One flow's draw on the shared {@link CaptureBudget}: the {@link BodyCapture}s of its request and response, and the
 * bodies an addon held in memory, take room from it as they grow, and {@link #close()} gives all of it back when the
 * flow has ended. A capture the budget refuses keeps what it has and captures nothing further (the body itself flows on
 * whole); the flow gets a note saying so, once per side.
 *
 * <p>Thread-safe: an HTTP/2 request body is captured on its own thread while the response is on the exchange's.
 */
public final class CaptureAccount {

    /** The first array of a capture is at most this large, whatever length the message declares. */
    static final int FIRST_BYTES = 8 * 1024;
    /** ... and this large when it declares none. */
    static final int FIRST_BYTES_UNKNOWN_LENGTH = 512;

    private final CaptureBudget budget;
    private final int capBytes;
    private final Flow flow;
    private final AtomicLong held = new AtomicLong();
    private final AtomicBoolean requestNoted = new AtomicBoolean();
    private final AtomicBoolean responseNoted = new AtomicBoolean();
    private volatile boolean closed;

    CaptureAccount(CaptureBudget budget, int capBytes, Flow flow) {
        if (capBytes < 0) {
            throw new IllegalArgumentException("a capture cap must not be negative, got " + capBytes);
        }
        this.budget = budget;
        this.capBytes = capBytes;
        this.flow = flow;
    }

    /** An account on a budget of its own that never runs out, keeping at most {@code capBytes} per body. */
    public static CaptureAccount unbudgeted(int capBytes) {
        return CaptureBudget.unlimited().open(capBytes, null);
    }

    /** Most bytes a capture keeps of one body. */
    public int capBytes() {
        return capBytes;
    }

    /** A capture for one body of {@code side}; {@code expectedSize} is its declared length, or -1. */
    public BodyCapture capture(Flow.Side side, long expectedSize) {
        return new BodyCapture(this, side, expectedSize);
    }

    /**
     * A copy of {@code bytes} with room for at least {@code needed} bytes, at most {@code max}: twice as large, or as
     * much as needed when that is more, or the first array when {@code bytes} is empty. Null when the budget refuses
     * the room (then a note says so on the flow). For a body an addon holds in memory whole.
     */
    public byte[] grow(byte[] bytes, int needed, int max, Flow.Side side, long expectedSize) {
        int size = nextSize(bytes.length, needed, max, expectedSize);
        if (!draw(size - bytes.length, side)) {
            return null;
        }
        return Arrays.copyOf(bytes, size);
    }

    /** The size of the array after {@code current} that holds {@code needed}, within {@code max}. */
    static int nextSize(int current, int needed, int max, long expectedSize) {
        long size;
        if (current == 0) {
            long first = expectedSize >= 0 ? Math.min(expectedSize, FIRST_BYTES) : FIRST_BYTES_UNKNOWN_LENGTH;
            size = Math.max(needed, first);
        } else {
            size = Math.max(2L * current, needed);
        }
        return (int) Math.min(max, size);
    }

    /**
     * Takes {@code bytes} from the budget for this flow, all or nothing; false when they do not fit (or the flow has
     * ended), and the flow notes the first refusal of each side.
     */
    boolean draw(long bytes, Flow.Side side) {
        if (bytes <= 0) {
            return true;
        }
        if (closed || !budget.take(bytes)) {
            noteRefusal(side);
            return false;
        }
        return kept(bytes) == bytes;
    }

    /**
     * Takes as much of {@code bytes} from the budget as is left for this flow; when that is less, the flow notes the first
     * such refusal of each side. Returns how much it took.
     */
    long drawUpTo(long bytes, Flow.Side side) {
        if (bytes <= 0) {
            return 0;
        }
        long taken = closed ? 0 : budget.takeUpTo(bytes);
        if (taken < bytes) {
            noteRefusal(side);
        }
        return taken == 0 ? 0 : kept(taken);
    }

    /** Adds {@code taken} bytes, just taken from the budget, to this flow's; returns them, or 0 if the flow has ended. */
    private long kept(long taken) {
        held.addAndGet(taken);
        if (closed) {
            budget.give(held.getAndSet(0)); // closed while drawing: what close() could not see yet goes back here
            return 0;
        }
        return taken;
    }

    private void noteRefusal(Flow.Side side) {
        AtomicBoolean noted = side == Flow.Side.REQUEST ? requestNoted : responseNoted;
        if (flow != null && !closed && noted.compareAndSet(false, true)) {
            flow.addNote("the " + (side == Flow.Side.REQUEST ? "request" : "response") + " body was captured only in part:"
                    + " the memory for capturing bodies of flows in flight (capture.in_flight_budget, "
                    + size(budget.limitBytes()) + ") was in use; the body flowed on whole");
        }
    }

    private static String size(long bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }

    /** Bytes this flow holds of the budget now. */
    public long heldBytes() {
        return held.get();
    }

    /** Gives back everything this flow drew; later draws are refused. Idempotent. */
    public void close() {
        closed = true;
        budget.give(held.getAndSet(0));
    }
}
