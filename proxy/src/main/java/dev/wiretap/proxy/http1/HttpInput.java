package dev.wiretap.proxy.http1;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import dev.wiretap.proxy.io.BodyPace;
import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.ReadTimer;

/**
 * A buffered byte reader over a connection's input, that the parsers work on (tests feed it bytes from
 * memory). The buffer starts small and grows only while a large head is being read; bodies bigger than the buffer
 * are read straight into the caller's array without a copy.
 *
 * <p>A reader made with a {@link BufferPool} keeps only a small buffer of its own (its idle buffer, possibly empty)
 * and borrows a bigger one from the pool when it needs more room, until {@link #shrink} gives it back: an idle
 * connection, of which a proxy may hold thousands, then holds a few hundred bytes rather than kilobytes.
 *
 * <p>Reads are bounded by a {@link ReadTimer}: an inactivity timeout per read ({@link #setReadTimeout}), or a
 * deadline for a whole head ({@link #setDeadline}), which is what cuts off a slow-loris client; and, while a request body
 * is read, by the pace it must keep ({@link #pace}). A read past its time fails with {@link SocketTimeoutException}
 * ({@link BodyPace.TooSlow} when the pace cut it off).
 *
 * <p>Not thread-safe: one connection thread owns it.
 */
public final class HttpInput {

    private static final byte[] NO_BYTES = new byte[0];

    private final InputStream in;
    private final java.nio.channels.ReadableByteChannel channel;
    private final ReadTimer timer;
    /** The buffer kept while idle; {@link #buf} when no bigger one is in use. */
    private final byte[] idleBuf;
    /** Where bigger buffers come from, or null: the buffer then grows by allocation alone. */
    private final BufferPool pool;
    /** Whether {@link #buf} was borrowed from {@link #pool} (and goes back to it). */
    private boolean borrowed;
    private byte[] buf;
    private int pos;
    private int lim;
    private long deadlineNanos;
    private boolean hasDeadline;
    private long readTimeoutNanos;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    private long consumed;
    private java.io.Flushable beforeRead;
    /** The pace a request body being read must keep, or null. */
    private BodyPace pace;
    /** Whether the coming read's deadline is the pace's (so its passing is the pace's failure). */
    private boolean paceBound;
    /** {@link System#nanoTime()} when the coming read began waiting, while a pace is kept. */
    private long readStartNanos;

    public HttpInput(InputStream in, int bufferSize, ReadTimer timer) {
        this(in, null, bufferSize, timer);
    }

    /**
     * @param channel the channel under {@code in}, if any: big bodies are then read straight into direct buffers
     *                ({@link #readDirect}); null for a TLS connection or a test's bytes
     */
    public HttpInput(InputStream in, java.nio.channels.ReadableByteChannel channel, int bufferSize, ReadTimer timer) {
        this.in = in;
        this.channel = channel;
        this.timer = timer;
        this.idleBuf = new byte[bufferSize];
        this.pool = null;
        this.buf = idleBuf;
    }

    /**
     * A reader that keeps an idle buffer of {@code idleBytes} (0: none) and borrows one of {@code pool}'s when it needs
     * more room, giving it back on {@link #shrink}.
     *
     * @param channel as for {@link #HttpInput(InputStream, java.nio.channels.ReadableByteChannel, int, ReadTimer)}
     */
    public HttpInput(InputStream in, java.nio.channels.ReadableByteChannel channel, int idleBytes, BufferPool pool,
                     ReadTimer timer) {
        this.in = in;
        this.channel = channel;
        this.timer = timer;
        this.idleBuf = idleBytes == 0 ? NO_BYTES : new byte[idleBytes];
        this.pool = pool;
        this.buf = idleBuf;
    }

    /** Bytes buffered and not yet consumed. */
    public int buffered() {
        return lim - pos;
    }

    byte[] buffer() {
        return buf;
    }

    int position() {
        return pos;
    }

    int limit() {
        return lim;
    }

    void consume(int n) {
        if (n < 0 || n > lim - pos) {
            throw new IllegalArgumentException("consume " + n + " of " + (lim - pos));
        }
        pos += n;
        consumed += n;
    }

    /** Bytes consumed since this reader was made (the wire size of what was read). */
    public long consumedCount() {
        return consumed;
    }

    /** The buffer's capacity now. */
    int capacity() {
        return buf.length;
    }

    /** Consumes up to {@code n} buffered bytes; returns how many. */
    public int skipBuffered(int n) {
        int k = Math.min(n, lim - pos);
        pos += k;
        consumed += k;
        return k;
    }

    /**
     * Reads more bytes into the buffer, making room first (moving unread bytes to the front, or growing the buffer
     * to at most {@code maxSize}). Returns the number read, or -1 at end of stream.
     *
     * @throws IllegalStateException if the buffer already holds {@code maxSize} unread bytes
     */
    public int fill(int maxSize) throws IOException {
        if (lim == buf.length) {
            if (pos > 0) {
                compact();
            } else if (buf == idleBuf && pool != null) {
                replaceBuffer(pool.acquire(), true); // the pool's size, whatever maxSize says: a head may need it all
            } else if (buf.length < maxSize) {
                replaceBuffer(new byte[(int) Math.min(maxSize, Math.max(buf.length * 2L, 1024))], false);
            } else {
                throw new IllegalStateException("buffer full: " + buf.length + " bytes");
            }
        }
        int n = readFromStream(buf, lim, buf.length - lim);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Reads more bytes into the buffer, never growing it beyond its current size. */
    public int fill() throws IOException {
        return fill(buf.length);
    }

    /**
     * Reads up to {@code len} bytes: buffered ones first; when nothing is buffered and the request is at least as
     * large as the buffer, straight from the stream into {@code dst}. Returns -1 at end of stream.
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == lim) {
            if (len >= buf.length) {
                int n = readFromStream(dst, off, len);
                if (n > 0) {
                    consumed += n;
                }
                return n;
            }
            pos = 0;
            lim = 0;
            int n = readFromStream(buf, 0, buf.length);
            if (n <= 0) {
                return n;
            }
            lim = n;
        }
        int n = Math.min(len, lim - pos);
        System.arraycopy(buf, pos, dst, off, n);
        pos += n;
        consumed += n;
        return n;
    }

    /** The next byte without consuming it (waiting for it if need be), or -1 at end of stream. */
    public int peek() throws IOException {
        if (pos == lim && !await()) {
            return -1;
        }
        return buf[pos] & 0xFF;
    }

    /** A copy of every byte buffered now, which stay buffered. */
    public byte[] peekBuffered() {
        return java.util.Arrays.copyOfRange(buf, pos, lim);
    }

    /** Consumes and returns every byte buffered now. */
    public byte[] takeBuffered() {
        byte[] taken = java.util.Arrays.copyOfRange(buf, pos, lim);
        consumed += lim - pos;
        pos = lim;
        return taken;
    }

    /** Reads one byte, or -1 at end of stream. */
    public int read() throws IOException {
        if (pos == lim && fill() <= 0) {
            return -1;
        }
        consumed++;
        return buf[pos++] & 0xFF;
    }

    /**
     * Waits until at least one byte is buffered. Returns false at end of stream.
     */
    public boolean await() throws IOException {
        while (pos == lim) {
            if (fill() < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * While set, {@code output} is flushed before every read from the stream (which may block): whatever a relay
     * has gathered goes out before it waits for more, so a streamed body (server-sent events, a slow chunked
     * response) reaches the other side as it arrives, while a body that is already buffered whole still leaves in
     * one write. Null clears it.
     */
    public void flushBeforeReading(java.io.Flushable output) {
        this.beforeRead = output;
    }

    /**
     * From now on, each read from the stream may wait at most {@code nanos} for data (0: forever); a read that waits
     * longer fails with {@link SocketTimeoutException}. A deadline set with {@link #setDeadline} takes precedence.
     */
    public void setReadTimeout(long nanos) {
        this.readTimeoutNanos = nanos;
    }

    /** From now on, reads fail once {@code deadlineNanos} ({@link System#nanoTime()}) has passed. */
    public void setDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = true;
    }

    public void clearDeadline() {
        hasDeadline = false;
    }

    /**
     * From now on, reads keep {@code pace} (started anew here), in addition to the other bounds, until this is called with
     * null: for a request body.
     */
    public void pace(BodyPace pace) {
        this.pace = pace;
        if (pace != null) {
            pace.start();
        }
    }

    /**
     * Gives back memory a large head made the buffer grow to, once what is left in it fits the first size: a borrowed
     * buffer goes back to its pool.
     */
    public void shrink() {
        if (buf != idleBuf && lim - pos <= idleBuf.length) {
            replaceBuffer(idleBuf, false);
        }
    }

    /** Moves what is buffered into {@code next} (at its start), and gives a borrowed buffer back to its pool. */
    private void replaceBuffer(byte[] next, boolean fromPool) {
        System.arraycopy(buf, pos, next, 0, lim - pos);
        lim -= pos;
        pos = 0;
        if (borrowed) {
            pool.release(buf);
        }
        buf = next;
        borrowed = fromPool;
    }

    private void compact() {
        System.arraycopy(buf, pos, buf, 0, lim - pos);
        lim -= pos;
        pos = 0;
    }

    /** True if {@link #readDirect} can be used (the connection is a plain socket channel). */
    public boolean hasChannel() {
        return channel != null;
    }

    /**
     * Reads from the channel straight into {@code dst}, bypassing the buffer, which must be empty. Bounded like any
     * other read. Returns the count, or -1 at end of stream.
     */
    public int readDirect(java.nio.ByteBuffer dst) throws IOException {
        if (lim != pos) {
            throw new IllegalStateException("readDirect with " + (lim - pos) + " bytes still buffered");
        }
        long deadline = beforeRead();
        if (deadline == NO_DEADLINE) {
            return count(channel.read(dst));
        }
        timer.arm(deadline);
        int n;
        try {
            n = channel.read(dst);
        } catch (IOException e) {
            throw timedOutOr(e);
        } finally {
            timer.disarm();
        }
        return count(paced(checkEnd(n)));
    }

    private int readFromStream(byte[] dst, int off, int len) throws IOException {
        long deadline = beforeRead();
        if (deadline == NO_DEADLINE) {
            return in.read(dst, off, len);
        }
        timer.arm(deadline);
        int n;
        try {
            n = in.read(dst, off, len);
        } catch (IOException e) {
            throw timedOutOr(e);
        } finally {
            timer.disarm();
        }
        return paced(checkEnd(n));
    }

    /** Counts the wait that brought {@code n} bytes against the pace, if one is kept. */
    private int paced(int n) {
        if (pace != null && !hasDeadline) {
            pace.waited(System.nanoTime() - readStartNanos, n);
        }
        return n;
    }

    /** Flushes what a relay gathered, then returns the deadline for the coming read (or {@link #NO_DEADLINE}). */
    private long beforeRead() throws IOException {
        if (beforeRead != null) {
            beforeRead.flush();
        }
        if (hasDeadline) {
            if (deadlineNanos - System.nanoTime() <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            return deadlineNanos;
        }
        if (pace != null) {
            return pacedDeadline();
        }
        return readTimeoutNanos > 0 ? System.nanoTime() + readTimeoutNanos : NO_DEADLINE;
    }

    /** The earlier of the read timeout's deadline and the pace's, remembering which one it is. */
    private long pacedDeadline() throws SocketTimeoutException {
        if (pace.isSpent()) {
            throw pace.tooSlow();
        }
        long now = System.nanoTime();
        readStartNanos = now;
        long paced = pace.deadline(now);
        long silence = readTimeoutNanos > 0 ? now + readTimeoutNanos : Long.MAX_VALUE;
        paceBound = paced - silence <= 0;
        return paceBound ? paced : silence;
    }

    private IOException timedOutOr(IOException e) {
        return timer.expired() ? timeout() : e;
    }

    /** An end of stream caused by the read timer is a timeout, not an end. */
    private int checkEnd(int n) throws SocketTimeoutException {
        if (n < 0 && timer.expired()) {
            throw timeout();
        }
        return n;
    }

    private SocketTimeoutException timeout() {
        return pace != null && paceBound && !hasDeadline ? pace.tooSlow() : new SocketTimeoutException("read timed out");
    }

    private int count(int n) {
        if (n > 0) {
            consumed += n;
        }
        return n;
    }
}
