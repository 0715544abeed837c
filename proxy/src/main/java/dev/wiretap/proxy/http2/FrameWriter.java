package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.Headers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Writes frames to one connection (RFC 9113 section 4.1). Every stream's thread and the connection's reader write
 * through it; its lock keeps frames whole and in order, and keeps HPACK encoding in the order blocks go out, with a
 * header block and its CONTINUATION frames back to back (section 6.10). A write blocks while the peer does not read:
 * that holds back whoever writes, never memory.
 *
 * <p>Writes are coalesced: a writer that asked for a flush leaves it to the next one when another is already waiting
 * for the lock, so that under load many frames leave in one TLS record and one system call; the last writer of a burst
 * finds nobody waiting and flushes them all.
 *
 * <p>LiveFlow control is not its business: DATA is written as it is given, within the windows the caller took.
 */
final class FrameWriter {

    private final ReentrantLock lock = new ReentrantLock(); // guards out, encoder, nextStreamId and closed
    private final OutputStream out;
    private final FieldBlockEncoder encoder = new FieldBlockEncoder();
    private final byte[] head = new byte[9];
    private volatile int peerMaxFrameBytes = Frame.DEFAULT_MAX_FRAME;
    private int nextStreamId = 1;
    private volatile long bytesWritten;

    FrameWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out, 16 * 1024 + 9);
    }

    void setPeerMaxFrameBytes(int bytes) {
        peerMaxFrameBytes = bytes;
    }

    int peerMaxFrameBytes() {
        return peerMaxFrameBytes;
    }

    void setPeerTableSize(int size) throws IOException {
        lock.lock();
        try {
            encoder.setPeerTableSize(size);
            flushUnlessOthersWait(); // whoever it kept waiting may have left a frame to be flushed by the lock's holder
        } finally {
            lock.unlock();
        }
    }

    /** Bytes written so far, frame headers included. */
    long bytesWritten() {
        return bytesWritten;
    }

    void preface() throws IOException {
        lock.lock();
        try {
            out.write(Frame.CLIENT_PREFACE);
            bytesWritten = bytesWritten + Frame.CLIENT_PREFACE.length;
        } finally {
            lock.unlock();
        }
    }

    /** A SETTINGS frame with {@code pairs} (identifier, value, identifier, value...). */
    void settings(int... pairs) throws IOException {
        byte[] payload = new byte[pairs.length / 2 * 6];
        for (int i = 0, p = 0; i < pairs.length; i += 2, p += 6) {
            payload[p] = (byte) (pairs[i] >>> 8);
            payload[p + 1] = (byte) pairs[i];
            putInt(payload, p + 2, pairs[i + 1]);
        }
        frame(Frame.SETTINGS, 0, 0, payload, 0, payload.length, true);
    }

    void settingsAck() throws IOException {
        frame(Frame.SETTINGS, Frame.FLAG_ACK, 0, null, 0, 0, true);
    }

    void ping(boolean ack, byte[] opaque) throws IOException {
        frame(Frame.PING, ack ? Frame.FLAG_ACK : 0, 0, opaque, 0, 8, true);
    }

    void goAway(int lastStreamId, ErrorCode code, String debug) throws IOException {
        byte[] text = debug.getBytes(StandardCharsets.UTF_8);
        int debugLength = Math.min(text.length, 256);
        byte[] payload = new byte[8 + debugLength];
        putInt(payload, 0, lastStreamId);
        putInt(payload, 4, code.code());
        System.arraycopy(text, 0, payload, 8, debugLength);
        frame(Frame.GOAWAY, 0, 0, payload, 0, payload.length, true);
    }

    void rstStream(int streamId, ErrorCode code) throws IOException {
        byte[] payload = new byte[4];
        putInt(payload, 0, code.code());
        frame(Frame.RST_STREAM, 0, streamId, payload, 0, 4, true);
    }

    void windowUpdate(int streamId, int increment) throws IOException {
        byte[] payload = new byte[4];
        putInt(payload, 0, increment);
        frame(Frame.WINDOW_UPDATE, 0, streamId, payload, 0, 4, true);
    }

    /** One DATA frame; the caller keeps {@code length} within the peer's frame size and its windows. */
    void data(int streamId, byte[] b, int off, int length, boolean endStream, boolean flush) throws IOException {
        frame(Frame.DATA, endStream ? Frame.FLAG_END_STREAM : 0, streamId, b, off, length, flush);
    }

    /** A header block on {@code streamId}: HEADERS, then CONTINUATION frames as the peer's frame size needs. */
    long headers(int streamId, Headers fields, boolean endStream, boolean flush) throws IOException {
        lock.lock();
        try {
            return writeBlock(streamId, encoder.encode(fields), endStream, flush);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Opens a stream of wiretap's own (as a client towards an origin): takes the next odd stream id and sends the
     * header block under one lock, so that new streams go out in the order of their ids (RFC 9113 section 5.1.1).
     * Returns the id, or -1 once ids have run out (the connection must not be used for new streams).
     */
    int openStream(Headers fields, boolean endStream, IntConsumerWithIo registered) throws IOException {
        lock.lock();
        try {
            if (nextStreamId < 0) {
                return -1;
            }
            int id = nextStreamId;
            nextStreamId += 2;
            registered.accept(id);
            writeBlock(id, encoder.encode(fields), endStream, true);
            return id;
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #openStream} calls with the new id before the block goes out (so the reply finds its stream). */
    @FunctionalInterface
    interface IntConsumerWithIo {
        void accept(int id) throws IOException;
    }

    /** Any frame as given (for tests that send what a peer must not). */
    void raw(int type, int flags, int streamId, byte[] payload) throws IOException {
        frame(type, flags, streamId, payload, 0, payload.length, true);
    }

    void flush() throws IOException {
        lock.lock();
        try {
            out.flush();
        } finally {
            lock.unlock();
        }
    }

    /** Returns the bytes written: the block and its frame headers. */
    private long writeBlock(int streamId, byte[] block, boolean endStream, boolean flush) throws IOException {
        long before = bytesWritten;
        int max = peerMaxFrameBytes;
        int first = Math.min(block.length, max);
        int flags = (endStream ? Frame.FLAG_END_STREAM : 0) | (first == block.length ? Frame.FLAG_END_HEADERS : 0);
        writeFrame(Frame.HEADERS, flags, streamId, block, 0, first);
        for (int off = first; off < block.length; ) {
            int n = Math.min(block.length - off, max);
            writeFrame(Frame.CONTINUATION, off + n == block.length ? Frame.FLAG_END_HEADERS : 0, streamId, block, off, n);
            off += n;
        }
        if (flush) {
            flushUnlessOthersWait();
        }
        return bytesWritten - before;
    }

    /** Called with the lock held: flushes unless another writer waits for the lock (it will flush, or the next). */
    private void flushUnlessOthersWait() throws IOException {
        if (!lock.hasQueuedThreads()) {
            out.flush();
        }
    }

    private void frame(int type, int flags, int streamId, byte[] b, int off, int length, boolean flush) throws IOException {
        lock.lock();
        try {
            writeFrame(type, flags, streamId, b, off, length);
            if (flush) {
                flushUnlessOthersWait();
            }
        } finally {
            lock.unlock();
        }
    }

    private void writeFrame(int type, int flags, int streamId, byte[] b, int off, int length) throws IOException {
        head[0] = (byte) (length >>> 16);
        head[1] = (byte) (length >>> 8);
        head[2] = (byte) length;
        head[3] = (byte) type;
        head[4] = (byte) flags;
        putInt(head, 5, streamId & 0x7fffffff);
        out.write(head, 0, 9);
        if (length > 0) {
            out.write(b, off, length);
        }
        bytesWritten = bytesWritten + 9L + length; // only under the lock; volatile for readers
    }

    private static void putInt(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
