package dev.wiretap.proxy.http1;

import dev.wiretap.proxy.io.BufferPool;
import dev.wiretap.proxy.io.DirectBufferPool;
import dev.wiretap.proxy.io.Pacer;
import java.nio.ByteBuffer;
import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.flow.Flow;
import java.io.EOFException;
import java.io.IOException;

/**
 * Copies one message body from an {@link HttpInput} to an {@link HttpOutput} as it arrives, with bounded memory,
 * capturing its first bytes for the flow. Bytes already buffered go out straight from the input's buffer. Large
 * bodies between two plain socket channels move through one pooled direct buffer, so the kernel reads into it and
 * writes from it and nothing is copied in between; otherwise (TLS, or every direct buffer in use) through one
 * pooled heap array. Either way a 256 MiB download costs one buffer. Until a read fills the input's own buffer, the body
 * goes through that one: a body that trickles in holds no large buffer while it waits.
 *
 * <p>A paced relay ({@link #pacedBy}, for a throttled exchange) takes another road: it moves at most one pacer's chunk
 * at a time through the input's buffer, flushes it, and lets the {@link Pacer} sleep until the rate allows more. An
 * unpaced relay never looks at a pacer beyond one null check per read.
 *
 * <p>Failures say whose side broke ({@link RelayException#isSourceFault()}): the sender (ended early, reset, timed
 * out, broke the framing) or the receiver (went away). Not thread-safe; one is made per relay.
 */
public final class BodyRelay {

    /** How the body is written out. */
    public enum Mode {
        /** As it came, framing included. */
        AS_IS,
        /** Chunked framing removed: payload only (for an HTTP/1.0 client; trailers are dropped). */
        DECHUNK,
        /** A close-delimited body sent on as chunks (so a 1.1 client's connection survives it). */
        CHUNK
    }

    private final Limits limits;
    private final BufferPool bodyBuffers;
    private final DirectBufferPool directBuffers;
    private final CaptureAccount captures;
    private byte[] heapBuffer;
    private ByteBuffer directBuffer;
    private boolean noDirectBuffer;
    private Pacer pacer;
    private long pacedMark;
    private Watcher watcher;
    /** Whether a read filled the input's buffer: the body comes fast enough to be worth the large buffers. */
    private boolean streaming;

    /**
     * Who watches a body while it streams (the response of an exchange, shown live): told of the capture when the
     * relay starts, and after each read that moved bytes. Called on the relay's thread; must be quick.
     */
    public interface Watcher {
        void started(BodyCapture capture);

        void grew();
    }

    /** A relay whose captures keep at most {@code captureCap} bytes each, outside any budget (tests). */
    public BodyRelay(Limits limits, BufferPool bodyBuffers, int captureCap) {
        this(limits, bodyBuffers, null, CaptureAccount.unbudgeted(captureCap));
    }

    /**
     * @param directBuffers for relaying between two plain socket channels without copying (null: never)
     * @param captures      the exchange's account, which the bodies' captures draw on
     */
    public BodyRelay(Limits limits, BufferPool bodyBuffers, DirectBufferPool directBuffers, CaptureAccount captures) {
        this.limits = limits;
        this.bodyBuffers = bodyBuffers;
        this.directBuffers = directBuffers;
        this.captures = captures;
    }

    /** A new capture for a body sent by the client ({@code fromClient}) or the origin, of {@code expectedSize} (or -1). */
    public BodyCapture capture(boolean fromClient, long expectedSize) {
        return captures.capture(fromClient ? Flow.Side.REQUEST : Flow.Side.RESPONSE, expectedSize);
    }

    /**
     * Paces this relay's output to {@code pacer}'s rate, counting what {@code out} takes from its byte count
     * {@code countFrom} on (so that a head written just before the body counts too). Returns this relay.
     */
    public BodyRelay pacedBy(Pacer pacer, long countFrom) {
        this.pacer = pacer;
        this.pacedMark = countFrom;
        return this;
    }

    /** Tells {@code watcher} of the body's capture and of each read that moved bytes. Returns this relay. */
    public BodyRelay watchedBy(Watcher watcher) {
        this.watcher = watcher;
        return this;
    }

    /**
     * Relays a body framed as {@code framing}, read from {@code in} (sent by {@code sender}), written to {@code out}
     * in {@code mode}. {@code out} is not flushed. Returns what was captured.
     */
    public Body relay(HttpInput in, BodyFraming framing, boolean fromClient, HttpOutput out, Mode mode) throws RelayException {
        return relayInto(capture(fromClient, framing instanceof BodyFraming.Fixed f ? f.length() : -1), in, framing,
                fromClient, out, mode);
    }

    /**
     * As {@link #relay}, adding what flows to {@code capture} (which may hold a body's first part already); returns
     * what that capture holds then.
     */
    public Body relayInto(BodyCapture capture, HttpInput in, BodyFraming framing, boolean fromClient, HttpOutput out,
                          Mode mode) throws RelayException {
        if (watcher != null) {
            watcher.started(capture);
        }
        in.flushBeforeReading(out);
        try {
            switch (framing) {
                case BodyFraming.None n -> { }
                case BodyFraming.Fixed f -> copyFixed(in, f.length(), out, capture);
                case BodyFraming.Chunked c -> copyChunked(in, fromClient, out, mode, capture);
                case BodyFraming.UntilClose u -> copyUntilClose(in, out, mode, capture);
            }
        } catch (ProtocolException e) {
            throw new RelayException(true, e.reason(), e, capture.size());
        } catch (IOException e) {
            throw new RelayException(!out.hasFailed(), e.getMessage(), e, capture.size());
        } finally {
            in.flushBeforeReading(null);
            if (heapBuffer != null) {
                bodyBuffers.release(heapBuffer);
                heapBuffer = null;
            }
            if (directBuffer != null) {
                directBuffers.release(directBuffer);
                directBuffer = null;
            }
        }
        return capture.finish();
    }

    private void copyFixed(HttpInput in, long length, HttpOutput out, BodyCapture capture) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            int n = copySome(in, remaining, out, capture);
            if (n < 0) {
                throw new EOFException("connection closed after " + (length - remaining) + " of " + length + " body bytes");
            }
            remaining -= n;
        }
    }

    private void copyChunked(HttpInput in, boolean fromClient, HttpOutput out, Mode mode, BodyCapture capture)
                             throws IOException, ProtocolException {
        ChunkedReader chunks = fromClient ? ChunkedReader.fromClient(in, limits) : ChunkedReader.fromOrigin(in, limits);
        HttpOutput raw = mode == Mode.AS_IS ? out : null;
        while (true) {
            long size = chunks.nextChunkSize(raw);
            if (size == 0) {
                chunks.readTrailers(raw);
                return;
            }
            long remaining = size;
            while (remaining > 0) {
                int n = copySome(in, remaining, out, capture);
                if (n < 0) {
                    throw new EOFException("connection closed inside a chunk");
                }
                remaining -= n;
            }
            chunks.endChunk(raw);
        }
    }

    private void copyUntilClose(HttpInput in, HttpOutput out, Mode mode, BodyCapture capture) throws IOException {
        while (true) {
            if (mode == Mode.CHUNK) {
                if (in.buffered() == 0 && in.fill() < 0) {
                    out.writeLatin1("0\r\n\r\n");
                    return;
                }
                int n = in.buffered();
                out.writeHex(n);
                out.crlf();
                for (int left = n; left > 0; ) {
                    left -= copySome(in, left, out, capture); // once, unless paced: then chunk by chunk
                }
                out.crlf();
            } else if (copySome(in, Long.MAX_VALUE, out, capture) < 0) {
                return;
            }
        }
    }

    /**
     * Copies at most {@code max} bytes: what is buffered, or else one read's worth. Returns the count, or -1 at the
     * end of the stream.
     */
    private int copySome(HttpInput in, long max, HttpOutput out, BodyCapture capture) throws IOException {
        int n = copyOnce(in, max, out, capture);
        if (n > 0 && watcher != null) {
            watcher.grew();
        }
        return n;
    }

    private int copyOnce(HttpInput in, long max, HttpOutput out, BodyCapture capture) throws IOException {
        if (pacer != null) {
            return copyPaced(in, max, out, capture);
        }
        int buffered = in.buffered();
        if (buffered > 0) {
            int n = (int) Math.min(buffered, max);
            byte[] b = in.buffer();
            int p = in.position();
            capture.add(b, p, n);
            out.write(b, p, n);
            in.consume(n);
            return n;
        }
        if (max < in.capacity() || !streaming) {
            // Through the input's own small buffer until one read fills it: a body that trickles (a slow upload, a
            // stalled download) then never holds a large buffer while it waits, and one that streams soon moves on.
            int n = in.fill();
            if (n < 0) {
                return -1;
            }
            streaming |= n == in.capacity();
            return copyOnce(in, max, out, capture);
        }
        ByteBuffer direct = in.hasChannel() && out.hasChannel() ? directBuffer() : null;
        if (direct != null) {
            // Kernel to kernel through one off-heap buffer: nothing is copied in between (the capture aside).
            direct.clear().limit((int) Math.min(direct.capacity(), max));
            int n = in.readDirect(direct);
            if (n > 0) {
                direct.flip();
                capture.add(direct);
                out.writeDirect(direct);
            }
            return n;
        }
        if (heapBuffer == null) {
            heapBuffer = bodyBuffers.acquire();
        }
        byte[] b = heapBuffer;
        int n = in.read(b, 0, (int) Math.min(b.length, max));
        if (n > 0) {
            capture.add(b, 0, n);
            out.write(b, 0, n);
        }
        return n;
    }

    /**
     * Copies at most one pacer's chunk through the input's own buffer, sends it, and waits as long as the rate asks.
     * Returns the count, or -1 at the end of the stream.
     */
    private int copyPaced(HttpInput in, long max, HttpOutput out, BodyCapture capture) throws IOException {
        if (in.buffered() == 0 && in.fill() < 0) {
            return -1;
        }
        int n = (int) Math.min(Math.min(in.buffered(), max), pacer.chunkBytes());
        byte[] b = in.buffer();
        int p = in.position();
        capture.add(b, p, n);
        out.write(b, p, n);
        in.consume(n);
        out.flush();
        long written = out.bytesWritten();
        pacer.sent(written - pacedMark);
        pacedMark = written;
        return n;
    }

    private ByteBuffer directBuffer() {
        if (directBuffer == null && !noDirectBuffer && directBuffers != null) {
            directBuffer = directBuffers.acquire();
            noDirectBuffer = directBuffer == null; // all in use: this relay goes through the heap
        }
        return directBuffer;
    }

    /** A relay failed; says whether the sender's side broke (else the receiver's) and how far it got. */
    public static final class RelayException extends IOException {

        private final boolean sourceFault;
        private final long bytesRelayed;

        RelayException(boolean sourceFault, String message, Throwable cause, long bytesRelayed) {
            super(message == null ? cause.getClass().getSimpleName() : message, cause);
            this.sourceFault = sourceFault;
            this.bytesRelayed = bytesRelayed;
        }

        /** True if the sender broke (ended early, reset, timed out, bad framing); false if the receiver went away. */
        public boolean isSourceFault() {
            return sourceFault;
        }

        /** True if the sender broke the protocol (as opposed to going away). */
        public boolean isProtocolFault() {
            return getCause() instanceof ProtocolException;
        }

        public boolean isTimeout() {
            return getCause() instanceof java.net.SocketTimeoutException;
        }

        public long bytesRelayed() {
            return bytesRelayed;
        }
    }
}
