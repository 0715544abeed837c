package dev.wiretap.proxy.flow;

import java.util.Arrays;

/**
 * Collects the first bytes of a body as it streams past, up to a cap, and counts all of them. The array is made at the
 * first byte and grows by doubling with the bytes that actually arrive, from at most 8 KiB whatever length the message
 * declares: a 100-byte body costs one small array, a 256 MiB download no more than the cap, and a client that declares a
 * megabyte and sends one byte costs 8 KiB. Each growth is drawn from the flow's {@link CaptureAccount}; when the shared
 * budget has less left than a growth asks, the capture takes what is left, keeps what fits, and nothing further (the
 * body still flows on whole).
 *
 * <p>Owned by one connection thread, which alone adds to it. Other threads may take a {@link #snapshot()} while it
 * grows (the console or the web UI showing a response that is still streaming): bytes below {@code length} never
 * change once written, a grown array is a copy that holds them all, and the owner writes the array before the length
 * that covers it (both volatile), so a reader that reads the length first always finds those bytes in the array it
 * reads next.
 */
public final class BodyCapture {

    private static final byte[] NONE = new byte[0];

    private final CaptureAccount account;
    private final Flow.Side side;
    private final long expectedSize;
    /** The most bytes kept: the cap, or less once the budget refused more room. */
    private int limit;
    private volatile byte[] bytes = NONE;
    private volatile int length;
    private volatile long size;
    private boolean gapped;

    /**
     * A capture outside any budget (imported files, tests).
     *
     * @param cap          most bytes to keep
     * @param expectedSize the declared length if known, else -1; sizes the first array
     */
    public BodyCapture(int cap, long expectedSize) {
        this(CaptureAccount.unbudgeted(cap), Flow.Side.RESPONSE, expectedSize);
    }

    BodyCapture(CaptureAccount account, Flow.Side side, long expectedSize) {
        this.account = account;
        this.side = side;
        this.expectedSize = expectedSize;
        this.limit = account.capBytes();
    }

    public void add(byte[] src, int off, int len) {
        int n = reserve(len);
        if (n > 0) {
            System.arraycopy(src, off, bytes, length, n);
            length += n;
        }
    }

    /** Adds the bytes between {@code src}'s position and limit, leaving its position where it was. */
    public void add(java.nio.ByteBuffer src) {
        int n = reserve(src.remaining());
        if (n > 0) {
            src.get(src.position(), bytes, length, n);
            length += n;
        }
    }

    /**
     * Counts {@code n} more bytes that flowed without passing through here (a part relayed elsewhere whose own
     * capture stopped short). Nothing after them is kept, so the capture stays the body's first bytes.
     */
    public void skip(long n) {
        if (n > 0) {
            size += n;
            gapped = true;
        }
    }

    /** Counts {@code len} more bytes; returns how many of them to keep, with room made for that many. */
    private int reserve(int len) {
        size += len;
        int room = limit - length;
        if (room <= 0 || len <= 0 || gapped) {
            return 0;
        }
        int n = Math.min(room, len);
        if (length + n > bytes.length) {
            int wanted = CaptureAccount.nextSize(bytes.length, length + n, limit, expectedSize) - bytes.length;
            int got = (int) account.drawUpTo(wanted, side);
            if (got > 0) {
                bytes = Arrays.copyOf(bytes, bytes.length + got);
            }
            if (got < wanted) {
                limit = bytes.length; // the budget is spent: keep what fits in the array at hand, and no more
                n = Math.min(n, limit - length);
            }
        }
        return n;
    }

    public long size() {
        return size;
    }

    /**
     * What has been captured so far, from any thread: the bytes are shared, not copied (the part a snapshot covers
     * never changes). Cheap enough to take on every look at a streaming body.
     */
    public Body snapshot() {
        int n = length; // first: see the class doc
        byte[] b = bytes;
        long s = size;
        return s == 0 ? Body.EMPTY : new Body(b, n, Math.max(s, n));
    }

    public Body finish() {
        if (size == 0) {
            return Body.EMPTY;
        }
        return new Body(bytes, length, size);
    }
}
