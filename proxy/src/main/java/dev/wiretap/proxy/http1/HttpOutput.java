package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A buffered writer for one connection's output, with the few encoders heads need (ASCII text, decimal and hex
 * numbers). Small writes gather in the buffer so that a whole small response leaves in one system call; writes at
 * least as large as the buffer go straight through.
 *
 * <p>The buffer comes from a {@link BufferPool} on first use and goes back on {@link #release()}, so a connection
 * that sits idle holds none. Not thread-safe: one connection thread owns it.
 */
public final class HttpOutput extends OutputStream {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final OutputStream out;
    private final java.nio.channels.WritableByteChannel channel;
    private final BufferPool pool;
    private byte[] buf;
    private int count;
    private long written;
    private boolean failed;

    public HttpOutput(OutputStream out, BufferPool pool) {
        this(out, null, pool);
    }

    /**
     * @param channel the channel under {@code out}, if any: big bodies are then written straight from direct buffers
     *                ({@link #writeDirect}); null for a TLS connection or a test's stream
     */
    public HttpOutput(OutputStream out, java.nio.channels.WritableByteChannel channel, BufferPool pool) {
        this.out = out;
        this.channel = channel;
        this.pool = pool;
    }

    /** True if {@link #writeDirect} can be used (the connection is a plain socket channel). */
    public boolean hasChannel() {
        return channel != null;
    }

    /** Sends what is buffered, then all of {@code src} straight to the channel. */
    public void writeDirect(java.nio.ByteBuffer src) throws IOException {
        flushBuffer();
        int n = src.remaining();
        try {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        written += n;
    }

    @Override
    public void write(int b) throws IOException {
        byte[] buffer = buffer();
        if (count == buffer.length) {
            flushBuffer();
        }
        buffer[count++] = (byte) b;
        written++;
    }

    @Override
    public void write(byte[] src, int off, int len) throws IOException {
        byte[] buffer = buffer();
        if (len >= buffer.length - count) {
            if (len >= buffer.length) {
                flushBuffer();
                sink(src, off, len);
                written += len;
                return;
            }
            flushBuffer();
        }
        System.arraycopy(src, off, buffer, count, len);
        count += len;
        written += len;
    }

    /** Writes the characters of {@code s}, each as one byte (they must be ISO-8859-1). */
    public void writeLatin1(String s) throws IOException {
        int length = s.length();
        byte[] buffer = buffer();
        if (length > buffer.length - count) {
            flushBuffer();
            if (length > buffer.length) {
                byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                sink(bytes, 0, bytes.length);
                written += bytes.length;
                return;
            }
        }
        for (int i = 0; i < length; i++) {
            buffer[count++] = (byte) s.charAt(i);
        }
        written += length;
    }

    public void writeDecimal(long value) throws IOException {
        writeLatin1(Long.toString(value));
    }

    public void writeHex(long value) throws IOException {
        if (value == 0) {
            write('0');
            return;
        }
        byte[] digits = new byte[16];
        int i = 16;
        for (long v = value; v != 0; v >>>= 4) {
            digits[--i] = HEX[(int) (v & 0xF)];
        }
        write(digits, i, 16 - i);
    }

    public void crlf() throws IOException {
        byte[] buffer = buffer();
        if (buffer.length - count < 2) {
            flushBuffer();
        }
        buffer[count++] = '\r';
        buffer[count++] = '\n';
        written += 2;
    }

    /** Sends what is buffered. */
    @Override
    public void flush() throws IOException {
        flushBuffer();
    }

    /** Sends what is buffered and gives the buffer back to the pool. */
    public void release() throws IOException {
        try {
            flush();
        } finally {
            discard();
        }
    }

    /** Drops anything buffered and gives the buffer back (the connection is being abandoned). */
    public void discard() {
        if (buf != null) {
            pool.release(buf);
            buf = null;
            count = 0;
        }
    }

    /**
     * Takes back everything written since {@code mark} (an earlier {@link #bytesWritten()}) if none of it has left
     * the buffer yet, and returns whether it could. Lets a caller that has sent nothing of a message yet answer
     * with another one instead.
     */
    public boolean retract(long mark) {
        long n = written - mark;
        if (n < 0 || n > count) {
            return false;
        }
        count -= (int) n;
        written = mark;
        return true;
    }

    /** Bytes accepted so far (written through or still buffered). */
    public long bytesWritten() {
        return written;
    }

    private byte[] buffer() {
        if (buf == null) {
            buf = pool.acquire();
        }
        return buf;
    }

    /**
     * True once a write to the connection has failed: the peer is gone. A relay asks this to tell whose side broke
     * when an exchange fails.
     */
    public boolean hasFailed() {
        return failed;
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            sink(buf, 0, n);
        }
    }

    private void sink(byte[] src, int off, int len) throws IOException {
        try {
            out.write(src, off, len);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }
}
