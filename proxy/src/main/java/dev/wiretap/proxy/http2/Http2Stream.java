package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import java.io.EOFException;
import java.io.IOException;
import dev.wiretap.proxy.io.BodyPace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP/2 stream (RFC 9113 section 5.1) as the thread that serves it sees it: the header blocks and DATA that arrive
 * (put here by the connection's reader, taken by the stream's thread, bounded by the window wiretap advertised), and
 * what it sends (HEADERS, DATA within the peer's windows, trailers, a reset).
 *
 * <p>Inbound state is guarded by this stream's lock; its send window by the connection's flow-control lock. Reading
 * is for the stream's own thread; {@link #reset} and the reset hook may come from any.
 */
public final class Http2Stream {

    private static final long NO_WAIT = Long.MIN_VALUE;

    private final Http2Connection connection;
    private final int id;
    private final ReentrantLock lock = new ReentrantLock(); // guards everything inbound below
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<FieldBlock> heads = new ArrayDeque<>(2);
    private final ArrayDeque<byte[]> data = new ArrayDeque<>();
    private int dataOffset;
    private Headers trailers;
    private boolean remoteEnded;
    private boolean headersSeen;
    /** Why the stream can no longer be read or written (a reset either way, the connection gone), or null. */
    private StreamResetException failure;
    /** What the peer may still send before wiretap credits more (reader decrements, consumer credits). */
    private int receiveWindow;
    /** Bytes read by the consumer and not yet credited back with a WINDOW_UPDATE. */
    private int unacked;
    private long bytesReceived;
    private volatile boolean localEnded;
    /** Whether a header block has gone out (set before it is written, so a peer's reset to it finds it set). */
    private volatile boolean answered;
    /** Bytes of frames sent on this stream (headers and DATA with their frame headers); by the stream's thread. */
    private volatile long bytesSent;
    private volatile Runnable onReset;
    private volatile long readTimeoutNanos;
    /** The deadline of an untimed wait for the peer in progress, for the watchdog's tick; {@link #NO_WAIT}: none. */
    private volatile long waitDeadline = NO_WAIT;
    /** The pace the body read from the peer must keep, or null; used by the one thread that reads the body. */
    private volatile BodyPace pace;
    /** The peer's window for this stream: guarded by the connection's flow-control lock. */
    long sendWindow;
    private final InputStream body = new BodyInput();
    private final OutputStream bodyOut = new BodyOutput();

    Http2Stream(Http2Connection connection, int id, int receiveWindow, long sendWindow) {
        this.connection = connection;
        this.id = id;
        this.receiveWindow = receiveWindow;
        this.sendWindow = sendWindow;
    }

    public int id() {
        return id;
    }

    /** The longest wait for the peer when reading (0: none). */
    public void setReadTimeout(long nanos) {
        readTimeoutNanos = nanos;
    }

    /**
     * From now on, reading the body keeps {@code pace} (started here), besides the read timeout: for a client's request
     * body. Set before the body is read, by the thread that will read it.
     */
    public void pace(BodyPace pace) {
        pace.start();
        this.pace = pace;
    }

    /** Runs {@code hook} (on the connection's reader thread) if the peer resets the stream or the connection fails. */
    public void onReset(Runnable hook) {
        this.onReset = hook;
        boolean already;
        lock.lock();
        try {
            already = failure != null;
        } finally {
            lock.unlock();
        }
        if (already && hook != null) {
            hook.run();
        }
    }

    // ---- reading: header blocks, body, trailers ----------------------------------------------------------------

    /** The next header block (an interim response, then the final head), waiting for it within the read timeout. */
    public FieldBlock awaitHeaders() throws IOException {
        lock.lock();
        try {
            long deadline = deadline();
            while (heads.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (remoteEnded) {
                    throw new EOFException("stream " + id + " ended without a header block");
                }
                await(deadline);
            }
            return heads.poll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the peer has ended its side (END_STREAM), with all of it perhaps not read yet. */
    public boolean isRemoteEnded() {
        lock.lock();
        try {
            return remoteEnded;
        } finally {
            lock.unlock();
        }
    }

    /** Whether DATA has arrived that was not read yet. */
    public boolean hasBufferedData() {
        lock.lock();
        try {
            return !data.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** The message body as it arrives in DATA frames: -1 at END_STREAM; a reset is an exception. */
    public InputStream body() {
        return body;
    }

    /** The trailers, once the body has been read to its end, if the peer sent any. */
    public Optional<Headers> trailers() {
        lock.lock();
        try {
            return Optional.ofNullable(trailers);
        } finally {
            lock.unlock();
        }
    }

    /** Payload bytes received on this stream (DATA frames, padding included). */
    public long bytesReceived() {
        lock.lock();
        try {
            return bytesReceived;
        } finally {
            lock.unlock();
        }
    }

    private int readBody(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n;
        BodyPace p = pace;
        long waitStart = 0;
        lock.lock();
        try {
            long deadline = deadline();
            boolean paceBound = false;
            if (p != null) {
                if (p.isSpent()) {
                    throw p.tooSlow();
                }
                waitStart = System.nanoTime();
                long paced = p.deadline(waitStart);
                paceBound = deadline == 0 || paced - deadline <= 0;
                deadline = paceBound ? paced : deadline;
            }
            while (data.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (remoteEnded) {
                    return -1;
                }
                try {
                    await(deadline);
                } catch (SocketTimeoutException e) {
                    throw paceBound ? p.tooSlow() : e;
                }
            }
            byte[] chunk = data.peek();
            n = Math.min(len, chunk.length - dataOffset);
            System.arraycopy(chunk, dataOffset, b, off, n);
            dataOffset += n;
            if (dataOffset == chunk.length) {
                data.poll();
                dataOffset = 0;
            }
        } finally {
            lock.unlock();
        }
        if (p != null) {
            p.waited(System.nanoTime() - waitStart, n);
        }
        connection.consumed(this, n);
        return n;
    }

    /** Counts {@code n} bytes consumed; returns the stream credit to send now (0: not yet, or the peer is done). */
    int creditFor(int n, int threshold) {
        lock.lock();
        try {
            unacked += n;
            if (remoteEnded || failure != null || unacked < threshold) {
                return 0;
            }
            int credit = unacked;
            unacked = 0;
            receiveWindow += credit;
            return credit;
        } finally {
            lock.unlock();
        }
    }

    private long deadline() {
        long t = readTimeoutNanos;
        return t > 0 ? System.nanoTime() + t : 0;
    }

    /**
     * Waits for news; throws when the deadline (0: none) has passed. Called with the lock held. With the connection's
     * watchdog, the wait is untimed and the watchdog's tick wakes it once the deadline has passed (up to a tick late).
     */
    private void await(long deadline) throws IOException {
        try {
            if (deadline == 0) {
                arrived.await();
                return;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("stream " + id + ": the peer sent nothing in time");
            }
            if (connection.watchesDeadlines()) {
                waitDeadline = deadline;
                try {
                    arrived.await();
                } finally {
                    waitDeadline = NO_WAIT;
                }
                return;
            }
            arrived.awaitNanos(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting on stream " + id);
        }
    }

    /** On the watchdog's tick: wakes the stream's thread if its wait has run out (it then finds so and throws). */
    void wakeIfOverdue(long now) {
        long d = waitDeadline;
        if (d == NO_WAIT || now - d < 0) {
            return;
        }
        lock.lock();
        try {
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- what the connection's reader delivers ----------------------------------------------------------------

    /** A header block arrived: the first one(s) are heads, one after the body is the trailers (END_STREAM set). */
    void receiveHeaders(FieldBlock block, boolean endStream, boolean isInformational) throws Http2Exception {
        lock.lock();
        try {
            if (remoteEnded) {
                throw Http2Exception.stream(id, ErrorCode.STREAM_CLOSED, "header block after END_STREAM");
            }
            if (headersSeen && !isInformational) {
                if (!endStream) {
                    throw Http2Exception.stream(id, ErrorCode.PROTOCOL_ERROR, "trailers without END_STREAM");
                }
                trailers = block.fields();
            } else {
                heads.add(block);
                headersSeen = !isInformational;
            }
            if (endStream) {
                remoteEnded = true;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Payload of a DATA frame; {@code frameLength} (padding included) counts against the stream's window. */
    void receiveData(byte[] payload, int off, int len, int frameLength, boolean endStream) throws Http2Exception {
        lock.lock();
        try {
            if (!headersSeen) {
                throw Http2Exception.stream(id, ErrorCode.PROTOCOL_ERROR, "DATA before HEADERS");
            }
            if (remoteEnded) {
                throw Http2Exception.stream(id, ErrorCode.STREAM_CLOSED, "DATA after END_STREAM");
            }
            receiveWindow -= frameLength;
            if (receiveWindow < 0) {
                throw Http2Exception.stream(id, ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the stream's window");
            }
            bytesReceived += frameLength;
            if (failure == null && len > 0) {
                data.add(off == 0 && len == payload.length ? payload : java.util.Arrays.copyOfRange(payload, off, off + len));
            }
            if (endStream) {
                remoteEnded = true;
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The stream can no longer be used: the peer reset it, wiretap did, or the connection ended. */
    void fail(StreamResetException why) {
        Runnable hook;
        lock.lock();
        try {
            if (failure != null) {
                return;
            }
            failure = why;
            data.clear();
            arrived.signalAll();
            hook = onReset;
        } finally {
            lock.unlock();
        }
        connection.wakeWriters();
        if (hook != null && why.isByPeer()) {
            hook.run();
        }
    }

    /** Whether the stream was reset (either way) or its connection failed. */
    public boolean isReset() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    StreamResetException failure() {
        lock.lock();
        try {
            return failure;
        } finally {
            lock.unlock();
        }
    }

    /** Whether both sides have ended the stream (or it failed): it no longer counts as open. */
    boolean isClosed() {
        lock.lock();
        try {
            return failure != null || (remoteEnded && localEnded);
        } finally {
            lock.unlock();
        }
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    /** Sends a header block (a response head, or a request's on an origin stream opened without one). */
    public void sendHeaders(Headers fields, boolean endStream) throws IOException {
        sendHeaders(fields, endStream, true);
    }

    /**
     * As {@link #sendHeaders(Headers, boolean)}; without {@code flush} the block waits in the connection's buffer for
     * what the caller sends next at once (the body in hand), so that both leave in one write.
     */
    public void sendHeaders(Headers fields, boolean endStream, boolean flush) throws IOException {
        checkWritable();
        answered = true;
        bytesSent += connection.writer().headers(id, fields, endStream, flush);
        if (endStream) {
            ended();
        }
    }

    /** Sends trailers, ending the stream. */
    public void sendTrailers(Headers fields) throws IOException {
        sendHeaders(fields, true);
    }

    /** DATA, as much as the peer's windows allow at a time (waiting for them within the stall timeout). */
    public void sendData(byte[] b, int off, int len, boolean endStream) throws IOException {
        boolean sentNothing = len == 0;
        while (len > 0) {
            checkWritable();
            int n = connection.takeSendWindow(this, Math.min(len, connection.writer().peerMaxFrameBytes()));
            boolean last = endStream && n == len;
            connection.writer().data(id, b, off, n, last, n == len); // each call's bytes go out at its end
            bytesSent += 9L + n;
            off += n;
            len -= n;
        }
        if (endStream) {
            if (!localEnded && sentNothing) {
                connection.writer().data(id, null, 0, 0, true, true); // no bytes to carry END_STREAM
            }
            ended();
        }
    }

    /** Ends wiretap's side of the stream with an empty DATA frame, unless it has ended. */
    public void end() throws IOException {
        if (localEnded) {
            return;
        }
        checkWritable();
        connection.writer().data(id, null, 0, 0, true, true);
        ended();
    }

    /** Writes out what DATA is buffered. */
    public void flush() throws IOException {
        connection.writer().flush();
    }

    /** The body going out as DATA frames; closing it ends the stream. */
    public OutputStream bodyOutput() {
        return bodyOut;
    }

    /** Bytes of frames sent on this stream so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Whether wiretap has sent anything on this stream yet (a response head, at least). Safe from any thread. */
    public boolean hasAnswered() {
        return answered;
    }

    public boolean isLocalEnded() {
        return localEnded;
    }

    /**
     * Resets the stream (RST_STREAM with {@code code}) unless it is closed already; whoever waits on it wakes with a
     * {@link StreamResetException}. Safe from any thread.
     */
    public void reset(ErrorCode code) {
        if (isClosed()) {
            return;
        }
        fail(new StreamResetException("stream " + id + " reset by wiretap (" + code + ")", code, false));
        connection.sendReset(id, code);
    }

    /** The stream's thread is done with it: a stream not closed both ways is reset, and it leaves the connection. */
    public void finish() {
        if (!isClosed()) {
            // A response sent whole while the request still comes: RST_STREAM NO_ERROR stops it (RFC 9113 section 8.1).
            reset(localEnded ? ErrorCode.NO_ERROR : ErrorCode.CANCEL);
        }
        connection.streamDone(this);
    }

    void markLocalEnded() {
        localEnded = true;
    }

    private void ended() {
        localEnded = true;
        if (isClosed()) {
            connection.streamClosed(this);
        }
    }

    void checkWritable() throws IOException {
        StreamResetException f = failure();
        if (f != null) {
            throw f;
        }
        if (localEnded) {
            throw new IOException("stream " + id + " has ended on wiretap's side");
        }
    }

    @Override
    public String toString() {
        return "stream " + id + " on " + connection;
    }

    private final class BodyInput extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = readBody(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return readBody(b, off, len);
        }

        @Override
        public int available() {
            lock.lock();
            try {
                return data.isEmpty() ? 0 : data.peek().length - dataOffset;
            } finally {
                lock.unlock();
            }
        }
    }

    private final class BodyOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            sendData(b, off, len, false);
        }

        @Override
        public void flush() throws IOException {
            Http2Stream.this.flush();
        }

        @Override
        public void close() throws IOException {
            end();
        }
    }

    /** For tests and the timeout of awaiting: waits at most {@code millis} for the stream to close. */
    boolean awaitClosed(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (!(failure != null || (remoteEnded && localEnded))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                arrived.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
