package dev.wiretap.proxy.flow;

import java.nio.charset.Charset;
import java.util.Arrays;

/**
 * What was captured of one message body: the first bytes of its payload (after chunked decoding), how many
 * payload bytes flowed in all, and whether the capture stopped short of that (the capture cap). Immutable.
 */
public final class Body {

    public static final Body EMPTY = new Body(new byte[0], 0, 0);

    private final byte[] captured;
    private final int capturedLength;
    private final long size;

    /** Takes {@code captured} over without copying; its first {@code capturedLength} bytes are the capture. */
    Body(byte[] captured, int capturedLength, long size) {
        this.captured = captured;
        this.capturedLength = capturedLength;
        this.size = size;
    }

    public static Body of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Body(bytes.clone(), bytes.length, bytes.length);
    }

    /** Payload bytes that flowed, captured or not. */
    public long size() {
        return size;
    }

    /** Bytes captured (at most the capture cap). */
    public int capturedLength() {
        return capturedLength;
    }

    public boolean isTruncated() {
        return capturedLength < size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * What to tell a reader about a body the capture cap cut short ({@code truncated at capture cap: 1024 of 5100 bytes
     * captured}), in the same words wherever it is shown or exported.
     */
    public String captureNote() {
        return "truncated at capture cap: " + capturedLength + " of " + size + " bytes captured";
    }

    /** A copy of the captured bytes. */
    public byte[] bytes() {
        return Arrays.copyOf(captured, capturedLength);
    }

    public String text(Charset charset) {
        return new String(captured, 0, capturedLength, charset);
    }

    byte[] capturedArray() {
        return captured;
    }

    static Body restore(byte[] captured, long size) {
        return size == 0 ? EMPTY : new Body(captured, captured.length, size);
    }

    long estimatedBytes() {
        return 32L + captured.length;
    }

    @Override
    public String toString() {
        return "Body[" + size + " bytes" + (isTruncated() ? ", " + capturedLength + " captured" : "") + "]";
    }
}
