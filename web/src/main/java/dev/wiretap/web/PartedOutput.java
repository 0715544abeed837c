package dev.wiretap.web;

import dev.wiretap.proxy.service.ResponseStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A streamed response's body as an {@link OutputStream}, for writers that take one (the HAR writer, session files, a
 * body's decoder): bytes gather into parts of {@value #PART_BYTES} bytes, each sent as one chunk when it fills, and the
 * rest on {@link #flush} or {@link #close}. Closing does not end the response; the writer's return does. Used on one
 * connection's thread.
 */
final class PartedOutput extends OutputStream {

    static final int PART_BYTES = 64 * 1024;

    private final ResponseStream stream;
    private final byte[] part = new byte[PART_BYTES];
    private int filled;

    PartedOutput(ResponseStream stream) {
        this.stream = stream;
    }

    @Override
    public void write(int b) throws IOException {
        if (filled == part.length) {
            flush();
        }
        part[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            if (filled == part.length) {
                flush();
            }
            int n = Math.min(len, part.length - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    /** Sends what gathered as one chunk (nothing when nothing did). */
    @Override
    public void flush() throws IOException {
        if (filled > 0) {
            byte[] out = Arrays.copyOf(part, filled);
            filled = 0;
            stream.send(out);
        }
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
