package dev.wiretap.proxy.flow;

import java.util.Arrays;

/**
 * Collects the first bytes of a body as it streams past, up to a cap, and counts all of them. The array grows
 * by doubling from a size guessed from the declared length, so a 100-byte body costs one small array and a
 * 256 MiB download costs no more than the cap.
 *
 * <p>Owned by one connection thread, which alone adds to it. Other threads may take a {@link #snapshot()} while it
 * grows (the console or the web UI showing a response that is still streaming): bytes below {@code length} never
 * change once written, a grown array is a copy that holds them all, and the owner writes the array before the length
 * that covers it (both volatile), so a reader that reads the length first always finds those bytes in the array it
 * reads next.
 */
public final class BodyCapture {

    private final int cap;
    private volatile byte[] bytes;
    private volatile int length;
    private volatile long size;
    private boolean gapped;

    /**
     * @param cap          most bytes to keep
     * @param expectedSize the declared length if known, else -1; sizes the first array
     */
    public BodyCapture(int cap, long expectedSize) {
        this.cap = cap;
        int initial = expectedSize >= 0 ? (int) Math.min(expectedSize, cap) : Math.min(cap, 512);
        this.bytes = new byte[initial];
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
        int room = cap - length;
        if (room <= 0 || len <= 0 || gapped) {
            return 0;
        }
        int n = Math.min(room, len);
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(cap, Math.max((long) bytes.length * 2, length + n)));
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
