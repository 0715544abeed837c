package dev.wiretap.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A large pseudo-random body made as it is read, for moving hundreds of megabytes through wiretap in tests without
 * holding them: the stream keeps the SHA-256 of what it has given out, and {@link #sha256Of} digests what came out
 * the other side. Not thread-safe: one reader.
 */
public final class RandomBody extends InputStream {

    private final SplittableRandom random;
    private final MessageDigest digest = newDigest();
    private final byte[] block = new byte[64 * 1024];
    private long remaining;
    private int blockPos = block.length;

    public RandomBody(long length, long seed) {
        this.remaining = length;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (remaining == 0) {
            return -1;
        }
        if (blockPos == block.length) {
            random.nextBytes(block);
            blockPos = 0;
        }
        int n = (int) Math.min(Math.min(len, block.length - blockPos), remaining);
        System.arraycopy(block, blockPos, dst, off, n);
        digest.update(block, blockPos, n);
        blockPos += n;
        remaining -= n;
        return n;
    }

    /** Writes the whole (rest of the) body to {@code out}, in reads of up to {@code maxWrite} bytes. */
    public void writeTo(OutputStream out, int maxWrite) throws IOException {
        byte[] buf = new byte[maxWrite];
        int n;
        while ((n = read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
        }
        out.flush();
    }

    /** Hex SHA-256 of every byte given out so far (the whole body once it has been read to the end). */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What was read from a stream: how many bytes and their hex SHA-256. */
    public record Digest(long bytes, String sha256) {
    }

    /** Reads {@code in} to its end (or {@code limit} bytes, whichever is first), digesting as it goes. */
    public static Digest sha256Of(InputStream in, long limit) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        while (total < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - total));
            if (n < 0) {
                break;
            }
            digest.update(buf, 0, n);
            total += n;
        }
        return new Digest(total, HexFormat.of().formatHex(digest.digest()));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
