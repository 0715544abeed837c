package dev.wiretap.proxy.http2;

import dev.wiretap.config.Http2Settings;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.io.ReadWatchdog;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One HTTP/2 connection (RFC 9113), either side: as the server a client talks to ({@link Role#SERVER}, inside an
 * intercepted tunnel) or as a client of an origin ({@link Role#CLIENT}, shared by many streams).
 *
 * <p>One reader thread demultiplexes frames: header blocks are decoded in order (HPACK) and handed to their
 * {@link Http2Stream}, DATA is queued on its stream within the window wiretap advertised, and SETTINGS, PING, GOAWAY,
 * WINDOW_UPDATE and RST_STREAM are handled in place; PRIORITY is read and ignored (RFC 9113 section 5.3.2). Each stream
 * is served on a thread of its own, which writes through the {@link FrameWriter} (one lock) and waits for the peer's
 * flow-control windows under this connection's flow lock: a shut window holds back that stream's writer, never the
 * connection, and for at most the stall timeout.
 *
 * <p>Defences (each a setting): at most {@code maxConcurrentStreams} streams at once, counting those whose thread still
 * runs after a reset (more are refused); resets by the client and control frames (SETTINGS, PING, PRIORITY, empty
 * DATA and CONTINUATION) within a rate; frames no larger than advertised; header blocks, compressed and decoded, within
 * the header list limit. A breach ends the connection with GOAWAY (ENHANCE_YOUR_CALM for floods).
 *
 * <p>Given wiretap's {@link ReadWatchdog}, its streams wait for the peer without a timed park: the watchdog's tick
 * wakes a stream whose wait has run out ({@link #wakeOverdue}). A timed park on a virtual thread schedules and cancels
 * a timer, which was a good part of a small stream's cost (one per stream, for its response head).
 */
public final class Http2Connection {

    private static final System.Logger LOG = System.getLogger(Http2Connection.class.getName());

    /** Which side of the connection wiretap is. */
    public enum Role { SERVER, CLIENT }

    /** Takes a client's new stream (its request head arrived), on the reader thread: it must start its own thread. */
    @FunctionalInterface
    public interface StreamAcceptor {
        void accept(Http2Stream stream, FieldBlock requestHead);
    }

    private final Role role;
    private final Socket socket;
    private final Http2Settings limits;
    private final String name;
    private final FrameReader reader;
    private final FrameWriter writer;
    private final FieldBlockDecoder decoder;
    private final Map<Integer, Http2Stream> streams = new ConcurrentHashMap<>();
    private final StreamAcceptor acceptor;
    private final RateBudget resets;
    private final RateBudget controlFrames;
    /** Ticks from wiretap's watchdog that wake streams whose wait ran out; null: streams wait with timed parks. */
    private final ReadWatchdog.Watch deadlines;

    private final ReentrantLock flowLock = new ReentrantLock(); // guards the send windows (connection's and streams')
    private final Condition windowOpened = flowLock.newCondition();
    private long connectionSendWindow = Frame.DEFAULT_WINDOW;
    private long peerInitialWindow = Frame.DEFAULT_WINDOW;

    private final AtomicLong receiveWindow = new AtomicLong(Frame.DEFAULT_WINDOW);
    private final AtomicInteger connectionUnacked = new AtomicInteger();
    private volatile int peerMaxConcurrentStreams = Integer.MAX_VALUE;
    /** Streams opened towards the origin and not yet done (client role): what the pool counts capacity by. */
    private final AtomicInteger reserved = new AtomicInteger();
    /** The highest stream the peer opened (server role), read by the reader only until GOAWAY. */
    private volatile int lastPeerStreamId;
    private volatile boolean goingAway;
    private volatile int peerGoAwayLastStreamId = Integer.MAX_VALUE;
    private volatile boolean closed;
    private volatile String closeReason = "open";
    private volatile Runnable onClosed;

    // Header block being gathered (HEADERS, then CONTINUATION): reader thread only.
    private int blockStreamId;
    private boolean blockEndStream;
    private byte[] block;
    private int blockLength;

    private Http2Connection(Role role, Socket socket, Http2Settings limits, StreamAcceptor acceptor, String name,
                            ReadWatchdog watchdog) throws IOException {
        this.role = role;
        this.socket = socket;
        this.limits = limits;
        this.acceptor = acceptor;
        this.name = name;
        this.reader = new FrameReader(new BufferedInputStream(socket.getInputStream(), 32 * 1024), limits.maxFrameBytes());
        this.writer = new FrameWriter(socket.getOutputStream());
        this.decoder = new FieldBlockDecoder(limits.maxHeaderListBytes());
        this.resets = new RateBudget(limits.maxResetsPerSecond(), System::nanoTime);
        this.controlFrames = new RateBudget(limits.maxControlFramesPerSecond(), System::nanoTime);
        this.deadlines = watchdog == null ? null : watchdog.watchEach(this::wakeOverdue);
    }

    /** wiretap as the server of a client's connection: call {@link #serve} on the connection's thread. */
    public static Http2Connection server(Socket socket, Http2Settings limits, StreamAcceptor acceptor, String name)
            throws IOException {
        return server(socket, limits, acceptor, name, null);
    }

    /** As above, with the streams' waits bounded by {@code watchdog}'s ticks (null: by timed parks). */
    public static Http2Connection server(Socket socket, Http2Settings limits, StreamAcceptor acceptor, String name,
                                         ReadWatchdog watchdog) throws IOException {
        return new Http2Connection(Role.SERVER, socket, limits, acceptor, name, watchdog);
    }

    /**
     * wiretap as a client of an origin: sends the preface and its settings, and starts the reader on a thread of its
     * own; the streams' waits are bounded by {@code watchdog}'s ticks (null: by timed parks).
     */
    public static Http2Connection client(Socket socket, Http2Settings limits, String name, ReadWatchdog watchdog)
            throws IOException {
        Http2Connection c = new Http2Connection(Role.CLIENT, socket, limits, null, name, watchdog);
        c.writer.preface();
        c.sendOwnSettings();
        Thread.ofVirtual().name("wiretap-h2-origin-" + name).start(c::readUntilClosed);
        return c;
    }

    public Role role() {
        return role;
    }

    FrameWriter writer() {
        return writer;
    }

    public Socket socket() {
        return socket;
    }

    /** Runs {@code hook} once the connection has closed (the pool forgets it). */
    public void onClosed(Runnable hook) {
        this.onClosed = hook;
        if (closed) {
            hook.run();
        }
    }

    // ---- the reader --------------------------------------------------------------------------------------------

    /**
     * Serves a client's connection on the calling thread until it ends: reads the preface, sends wiretap's settings,
     * then reads frames. Returns when the client closed, the connection idled out with no stream open, or it was shut
     * down; a protocol error has then been answered with GOAWAY.
     *
     * @param idleMillis how long the connection may stay silent with no stream open
     */
    public void serve(int idleMillis) throws IOException {
        try {
            socket.setSoTimeout(idleMillis);
            byte[] preface = reader.readExactly(Frame.CLIENT_PREFACE.length);
            if (!Arrays.equals(preface, Frame.CLIENT_PREFACE)) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "the connection did not start with the HTTP/2 preface");
            }
            sendOwnSettings();
            readFrames(true);
        } catch (Http2Exception e) {
            failConnection(e);
        } finally {
            closeNow("the client's connection ended");
        }
    }

    private void readUntilClosed() {
        try {
            readFrames(false);
        } catch (Http2Exception e) {
            failConnection(e);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": " + e);
        } finally {
            closeNow(closed ? closeReason : "the origin's connection ended");
        }
    }

    private void sendOwnSettings() throws IOException {
        if (role == Role.SERVER) {
            writer.settings(Frame.SETTINGS_MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams(),
                    Frame.SETTINGS_INITIAL_WINDOW_SIZE, limits.streamWindowBytes(),
                    Frame.SETTINGS_MAX_FRAME_SIZE, limits.maxFrameBytes(),
                    Frame.SETTINGS_MAX_HEADER_LIST_SIZE, limits.maxHeaderListBytes());
        } else {
            writer.settings(Frame.SETTINGS_ENABLE_PUSH, 0,
                    Frame.SETTINGS_INITIAL_WINDOW_SIZE, limits.streamWindowBytes(),
                    Frame.SETTINGS_MAX_FRAME_SIZE, limits.maxFrameBytes(),
                    Frame.SETTINGS_MAX_HEADER_LIST_SIZE, limits.maxHeaderListBytes());
        }
        int more = limits.connectionWindowBytes() - Frame.DEFAULT_WINDOW;
        if (more > 0) {
            receiveWindow.addAndGet(more);
            writer.windowUpdate(0, more);
        }
    }

    private void readFrames(boolean settingsFirst) throws IOException, Http2Exception {
        boolean first = settingsFirst;
        while (!closed) {
            Frame frame;
            try {
                frame = reader.read();
            } catch (SocketTimeoutException idle) {
                if (streams.isEmpty()) {
                    shutdown(); // silent, with nothing open: the client's connection is idle
                    return;
                }
                continue;
            }
            if (frame == null) {
                return;
            }
            if (first && frame.type() != Frame.SETTINGS) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "the first frame was not SETTINGS");
            }
            first = false;
            try {
                handle(frame);
            } catch (Http2Exception e) {
                if (e.isConnectionError()) {
                    throw e;
                }
                resetFromReader(e);
            }
        }
    }

    private void handle(Frame f) throws IOException, Http2Exception {
        if (block != null && f.type() != Frame.CONTINUATION) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, Frame.typeName(f.type())
                    + " in the middle of a header block (RFC 9113 section 6.10)");
        }
        switch (f.type()) {
            case Frame.DATA -> onData(f);
            case Frame.HEADERS -> onHeaders(f);
            case Frame.CONTINUATION -> onContinuation(f);
            case Frame.PRIORITY -> {
                requireStream(f);
                if (f.length() != 5) {
                    throw Http2Exception.stream(f.streamId(), ErrorCode.FRAME_SIZE_ERROR, "PRIORITY of " + f.length() + " bytes");
                }
                spendControl("PRIORITY");
            }
            case Frame.RST_STREAM -> onReset(f);
            case Frame.SETTINGS -> onSettings(f);
            case Frame.PUSH_PROMISE -> throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR,
                    "PUSH_PROMISE, which wiretap " + (role == Role.CLIENT ? "disabled" : "never accepts from a client"));
            case Frame.PING -> onPing(f);
            case Frame.GOAWAY -> onGoAway(f);
            case Frame.WINDOW_UPDATE -> onWindowUpdate(f);
            default -> { } // unknown frame types are ignored (RFC 9113 section 4.1)
        }
    }

    private void onData(Frame f) throws IOException, Http2Exception {
        requireStream(f);
        int length = f.length();
        if (receiveWindow.addAndGet(-length) < 0) {
            throw Http2Exception.connection(ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the connection's window");
        }
        int off = 0;
        int end = length;
        if (f.has(Frame.FLAG_PADDED)) {
            int pad = length > 0 ? f.payload()[0] & 0xff : 0;
            if (length == 0 || pad >= length) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "DATA padding longer than the frame");
            }
            off = 1;
            end = length - pad;
        }
        boolean endStream = f.has(Frame.FLAG_END_STREAM);
        if (end == off && !endStream) {
            spendControl("empty DATA frames");
        }
        Http2Stream stream = streams.get(f.streamId());
        if (stream == null || stream.isReset()) {
            creditConnection(length); // nobody will read it: the connection's window must not shrink for it
            if (stream == null && isIdle(f.streamId())) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "DATA on idle stream " + f.streamId());
            }
            return;
        }
        stream.receiveData(f.payload(), off, end - off, length, endStream);
        if (length > end - off) {
            creditConnection(length - (end - off)); // padding is never read
        }
        if (endStream && stream.isClosed()) {
            streamClosed(stream);
        }
    }

    private void onHeaders(Frame f) throws Http2Exception {
        requireStream(f);
        byte[] p = f.payload();
        int off = 0;
        int end = p.length;
        if (f.has(Frame.FLAG_PADDED)) {
            if (p.length == 0) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "HEADERS padding without a length");
            }
            int pad = p[0] & 0xff;
            off = 1;
            end -= pad;
        }
        if (f.has(Frame.FLAG_PRIORITY)) {
            if (end - off < 5) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "HEADERS too short for its priority");
            }
            int dependency = readInt(p, off) & 0x7fffffff;
            if (dependency == f.streamId()) {
                throw Http2Exception.stream(f.streamId(), ErrorCode.PROTOCOL_ERROR, "a stream depending on itself");
            }
            off += 5; // priorities are ignored (RFC 9113 section 5.3.2)
        }
        if (end < off) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "HEADERS padding longer than the frame");
        }
        blockStreamId = f.streamId();
        blockEndStream = f.has(Frame.FLAG_END_STREAM);
        block = Arrays.copyOfRange(p, off, end);
        blockLength = block.length;
        checkBlockSize();
        if (f.has(Frame.FLAG_END_HEADERS)) {
            headerBlockDone();
        }
    }

    private void onContinuation(Frame f) throws Http2Exception {
        if (block == null || f.streamId() != blockStreamId) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "CONTINUATION without a header block before it");
        }
        if (f.length() == 0 && !f.has(Frame.FLAG_END_HEADERS)) {
            spendControl("empty CONTINUATION frames");
        }
        if (blockLength + f.length() > block.length) {
            block = Arrays.copyOf(block, Math.max(block.length * 2, blockLength + f.length()));
        }
        System.arraycopy(f.payload(), 0, block, blockLength, f.length());
        blockLength += f.length();
        checkBlockSize();
        if (f.has(Frame.FLAG_END_HEADERS)) {
            headerBlockDone();
        }
    }

    /** A header block larger, compressed, than the decoded list may be is refused as it grows (CONTINUATION floods). */
    private void checkBlockSize() throws Http2Exception {
        if (blockLength > limits.maxHeaderListBytes()) {
            throw Http2Exception.connection(ErrorCode.ENHANCE_YOUR_CALM, "a header block of over "
                    + limits.maxHeaderListBytes() + " bytes (CONTINUATION flood?)");
        }
    }

    private void headerBlockDone() throws Http2Exception {
        int id = blockStreamId;
        byte[] bytes = blockLength == block.length ? block : Arrays.copyOf(block, blockLength);
        boolean endStream = blockEndStream;
        block = null;
        FieldBlock fields = decoder.decode(bytes, id); // always, in order: the decoder's table must follow every block
        Http2Stream stream = streams.get(id);
        if (stream != null) {
            boolean informational = role == Role.CLIENT && isInformational(fields.fields());
            if (informational && endStream) {
                throw Http2Exception.stream(id, ErrorCode.PROTOCOL_ERROR, "an interim response that ends the stream");
            }
            stream.receiveHeaders(fields, endStream, informational);
            if (endStream && stream.isClosed()) {
                streamClosed(stream);
            }
            return;
        }
        if (role == Role.CLIENT) {
            if (isIdle(id)) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "HEADERS on stream " + id + ", which wiretap never opened");
            }
            return; // a stream wiretap has reset already
        }
        acceptStream(id, fields, endStream);
    }

    private void acceptStream(int id, FieldBlock fields, boolean endStream) throws Http2Exception {
        if (id % 2 == 0 || id <= lastPeerStreamId) {
            if (id % 2 == 1) {
                return; // trailers or a late block for a stream that has ended: decoded, nothing more to do
            }
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "a client opened even stream " + id);
        }
        lastPeerStreamId = id;
        if (goingAway) {
            sendReset(id, ErrorCode.REFUSED_STREAM);
            return;
        }
        if (streams.size() >= limits.maxConcurrentStreams()) {
            // Streams still being served after a reset count too: that is what holds back a rapid reset.
            if (!resets.spend()) {
                throw Http2Exception.connection(ErrorCode.ENHANCE_YOUR_CALM, "too many streams refused (rapid reset?)");
            }
            sendReset(id, ErrorCode.REFUSED_STREAM);
            return;
        }
        Http2Stream stream = new Http2Stream(this, id, limits.streamWindowBytes(), currentPeerWindow());
        streams.put(id, stream);
        stream.receiveHeaders(fields, endStream, false);
        acceptor.accept(stream, fields);
    }

    private static boolean isInformational(Headers fields) {
        int status = fields.indexOf(":status", 0);
        return status >= 0 && fields.value(status).length() == 3 && fields.value(status).charAt(0) == '1';
    }

    private void onReset(Frame f) throws Http2Exception {
        requireStream(f);
        if (f.length() != 4) {
            throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, "RST_STREAM of " + f.length() + " bytes");
        }
        if (isIdle(f.streamId())) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "RST_STREAM on idle stream " + f.streamId());
        }
        ErrorCode code = ErrorCode.of(readInt(f.payload(), 0));
        Http2Stream stream = streams.get(f.streamId());
        // Only a stream reset before wiretap answered it counts: that is the costly kind (CVE-2023-44487), a request
        // begun upstream for nothing. Clients reset answered streams all the time (Go's stops reading at the declared
        // length and cancels what is left; browsers cancel downloads), and such a reset costs wiretap nothing more.
        if (role == Role.SERVER && stream != null && !stream.hasAnswered() && !resets.spend()) {
            throw Http2Exception.connection(ErrorCode.ENHANCE_YOUR_CALM, "too many streams reset (rapid reset)");
        }
        if (stream != null) {
            stream.fail(new StreamResetException("stream " + f.streamId() + " reset by the "
                    + (role == Role.SERVER ? "client" : "origin") + " (" + code + ")", code, true));
            streamClosed(stream);
        }
    }

    private void onSettings(Frame f) throws IOException, Http2Exception {
        if (f.streamId() != 0) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "SETTINGS on a stream");
        }
        if (f.has(Frame.FLAG_ACK)) {
            if (f.length() != 0) {
                throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS acknowledgement with a payload");
            }
            return;
        }
        spendControl("SETTINGS");
        if (f.length() % 6 != 0) {
            throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, "SETTINGS of " + f.length() + " bytes");
        }
        byte[] p = f.payload();
        for (int i = 0; i < p.length; i += 6) {
            int id = (p[i] & 0xff) << 8 | (p[i + 1] & 0xff);
            long value = readInt(p, i + 2) & 0xffffffffL;
            switch (id) {
                case Frame.SETTINGS_HEADER_TABLE_SIZE -> writer.setPeerTableSize((int) Math.min(value, Integer.MAX_VALUE));
                case Frame.SETTINGS_ENABLE_PUSH -> {
                    if (value > 1 || (role == Role.CLIENT && value != 0)) {
                        throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH of " + value);
                    }
                }
                case Frame.SETTINGS_MAX_CONCURRENT_STREAMS -> peerMaxConcurrentStreams = (int) Math.min(value, Integer.MAX_VALUE);
                case Frame.SETTINGS_INITIAL_WINDOW_SIZE -> {
                    if (value > Http2Settings.MAX_WINDOW) {
                        throw Http2Exception.connection(ErrorCode.FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE of " + value);
                    }
                    changeInitialWindow(value);
                }
                case Frame.SETTINGS_MAX_FRAME_SIZE -> {
                    if (value < Frame.DEFAULT_MAX_FRAME || value > 16_777_215) {
                        throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE of " + value);
                    }
                    writer.setPeerMaxFrameBytes((int) value);
                }
                default -> { } // SETTINGS_MAX_HEADER_LIST_SIZE is advice; unknown settings are ignored (section 6.5.2)
            }
        }
        writer.settingsAck();
    }

    private void onPing(Frame f) throws IOException, Http2Exception {
        if (f.streamId() != 0) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "PING on a stream");
        }
        if (f.length() != 8) {
            throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, "PING of " + f.length() + " bytes");
        }
        if (!f.has(Frame.FLAG_ACK)) {
            spendControl("PING");
            writer.ping(true, f.payload()); // a peer that does not read its answers holds this reader back, not memory
        }
    }

    private void onGoAway(Frame f) throws Http2Exception {
        if (f.streamId() != 0 || f.length() < 8) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "malformed GOAWAY");
        }
        int last = readInt(f.payload(), 0) & 0x7fffffff;
        ErrorCode code = ErrorCode.of(readInt(f.payload(), 4));
        peerGoAwayLastStreamId = last;
        goingAway = true;
        String debug = new String(f.payload(), 8, f.length() - 8, java.nio.charset.StandardCharsets.UTF_8);
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": GOAWAY " + code + " after stream " + last + " " + debug);
        for (Http2Stream s : streams.values()) {
            if (role == Role.CLIENT && s.id() > last) {
                // Never processed by the origin: the request may go again elsewhere (RFC 9113 section 6.8).
                s.fail(new StreamResetException("the origin is closing the connection and did not take stream " + s.id(),
                        ErrorCode.REFUSED_STREAM, true));
                streamClosed(s);
            }
        }
        if (streams.isEmpty()) {
            closeNow("GOAWAY " + code);
        }
    }

    private void onWindowUpdate(Frame f) throws Http2Exception {
        if (f.length() != 4) {
            throw Http2Exception.connection(ErrorCode.FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + f.length() + " bytes");
        }
        int increment = readInt(f.payload(), 0) & 0x7fffffff;
        if (f.streamId() == 0) {
            if (increment == 0) {
                throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
            }
            flowLock.lock();
            try {
                connectionSendWindow += increment;
                if (connectionSendWindow > Http2Settings.MAX_WINDOW) {
                    throw Http2Exception.connection(ErrorCode.FLOW_CONTROL_ERROR, "connection window over 2^31-1");
                }
                windowOpened.signalAll();
            } finally {
                flowLock.unlock();
            }
            return;
        }
        if (isIdle(f.streamId())) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE on idle stream " + f.streamId());
        }
        if (increment == 0) {
            throw Http2Exception.stream(f.streamId(), ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
        }
        Http2Stream stream = streams.get(f.streamId());
        if (stream == null) {
            return;
        }
        flowLock.lock();
        try {
            stream.sendWindow += increment;
            if (stream.sendWindow > Http2Settings.MAX_WINDOW) {
                throw Http2Exception.stream(f.streamId(), ErrorCode.FLOW_CONTROL_ERROR, "stream window over 2^31-1");
            }
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
    }

    private void requireStream(Frame f) throws Http2Exception {
        if (f.streamId() == 0) {
            throw Http2Exception.connection(ErrorCode.PROTOCOL_ERROR, Frame.typeName(f.type()) + " on stream 0");
        }
    }

    /** Whether {@code id} names a stream never opened (RFC 9113 section 5.1: idle). */
    private boolean isIdle(int id) {
        if (role == Role.SERVER) {
            return id % 2 == 1 && id > lastPeerStreamId;
        }
        return id % 2 == 1 && id >= nextOwnStreamId();
    }

    private int nextOwnStreamId() {
        return maxOwnStreamId.get() + 2;
    }

    private final AtomicInteger maxOwnStreamId = new AtomicInteger(-1);

    private void spendControl(String what) throws Http2Exception {
        if (role == Role.SERVER && !controlFrames.spend()) {
            throw Http2Exception.connection(ErrorCode.ENHANCE_YOUR_CALM, "too many " + what + " frames (flood)");
        }
    }

    private void resetFromReader(Http2Exception e) {
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": stream " + e.streamId() + " reset: " + e.getMessage());
        Http2Stream stream = streams.get(e.streamId());
        if (stream != null) {
            stream.fail(new StreamResetException(e.getMessage(), e.code(), true));
            streamClosed(stream);
        }
        sendReset(e.streamId(), e.code());
    }

    private void failConnection(Http2Exception e) {
        LOG.log(System.Logger.Level.DEBUG, () -> name + ": connection error " + e.code() + ": " + e.getMessage());
        try {
            writer.goAway(lastPeerStreamId, e.code(), e.getMessage());
        } catch (IOException ignored) {
            // The connection is ending anyway: a GOAWAY that cannot be written changes nothing.
        }
        closeNow(e.code() + ": " + e.getMessage());
    }

    // ---- flow control ------------------------------------------------------------------------------------------

    private long currentPeerWindow() {
        flowLock.lock();
        try {
            return peerInitialWindow;
        } finally {
            flowLock.unlock();
        }
    }

    private void changeInitialWindow(long value) throws Http2Exception {
        flowLock.lock();
        try {
            long delta = value - peerInitialWindow;
            peerInitialWindow = value;
            for (Http2Stream s : streams.values()) {
                s.sendWindow += delta;
                if (s.sendWindow > Http2Settings.MAX_WINDOW) {
                    throw Http2Exception.connection(ErrorCode.FLOW_CONTROL_ERROR, "a stream window over 2^31-1");
                }
            }
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
    }

    /**
     * Takes up to {@code wanted} bytes of the peer's windows (the stream's and the connection's) for DATA, waiting while
     * either is shut; a peer that keeps one shut past the stall timeout has the stream reset (a zero-window stall).
     */
    int takeSendWindow(Http2Stream stream, int wanted) throws IOException {
        long deadline = System.nanoTime() + limits.stallTimeout().toNanos();
        flowLock.lock();
        try {
            while (true) {
                stream.checkWritable();
                if (closed) {
                    throw new EOFException("the HTTP/2 connection has closed: " + closeReason);
                }
                long n = Math.min(wanted, Math.min(stream.sendWindow, connectionSendWindow));
                if (n > 0) {
                    stream.sendWindow -= n;
                    connectionSendWindow -= n;
                    return (int) n;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                windowOpened.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the peer's window");
        } finally {
            flowLock.unlock();
        }
        stream.reset(ErrorCode.CANCEL);
        throw new StreamResetException("the " + (role == Role.SERVER ? "client" : "origin") + " kept its flow-control window shut for "
                + limits.stallTimeout().toSeconds() + " s (stream " + stream.id() + " reset)", ErrorCode.CANCEL, false);
    }

    /** Wakes writers waiting for a window, so that a stream reset or a closed connection lets them go. */
    void wakeWriters() {
        flowLock.lock();
        try {
            windowOpened.signalAll();
        } finally {
            flowLock.unlock();
        }
    }

    /** A stream's thread consumed {@code n} bytes: the peer gets credit back, per stream and per connection, in batches. */
    void consumed(Http2Stream stream, int n) {
        int streamCredit = stream.creditFor(n, limits.streamWindowBytes() / 2);
        creditConnection(n);
        if (streamCredit > 0 && !closed) {
            try {
                writer.windowUpdate(stream.id(), streamCredit);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": WINDOW_UPDATE failed: " + e);
            }
        }
    }

    private void creditConnection(int n) {
        int unacked = connectionUnacked.addAndGet(n);
        if (unacked < limits.connectionWindowBytes() / 2) {
            return;
        }
        int credit = connectionUnacked.getAndSet(0);
        if (credit > 0 && !closed) {
            receiveWindow.addAndGet(credit);
            try {
                writer.windowUpdate(0, credit);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> name + ": WINDOW_UPDATE failed: " + e);
            }
        }
    }

    // ---- streams ------------------------------------------------------------------------------------------------

    /**
     * Opens a stream towards the origin with {@code head} (pseudo-header fields first). The caller reserved a place with
     * {@link #tryReserve()}; finishing the stream gives it back.
     */
    public Http2Stream openStream(Headers head, boolean endStream) throws IOException {
        if (closed || goingAway) {
            throw new StreamResetException("the origin's connection is closing", ErrorCode.REFUSED_STREAM, true);
        }
        Http2Stream[] made = new Http2Stream[1];
        int id = writer.openStream(head, endStream, newId -> {
            Http2Stream s = new Http2Stream(this, newId, limits.streamWindowBytes(), currentPeerWindow());
            streams.put(newId, s);
            maxOwnStreamId.set(newId);
            made[0] = s;
        });
        if (id < 0) {
            goingAway = true;
            throw new StreamResetException("the origin's connection has used up its stream ids", ErrorCode.REFUSED_STREAM, true);
        }
        Http2Stream stream = made[0];
        if (endStream) {
            stream.markLocalEnded();
        }
        return stream;
    }

    /** Takes a place for a new stream if the origin allows one more and the connection is open (client role). */
    public boolean tryReserve() {
        while (true) {
            int n = reserved.get();
            if (closed || goingAway || n >= peerMaxConcurrentStreams) {
                return false;
            }
            if (reserved.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken with {@link #tryReserve()}. */
    public void unreserve() {
        reserved.decrementAndGet();
    }

    /** Streams reserved on this connection now (client role). */
    public int reservedCount() {
        return reserved.get();
    }

    /** Whether new streams may be opened: not closed, no GOAWAY either way. */
    public boolean isUsable() {
        return !closed && !goingAway;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Streams open now (client streams being served, or origin streams in use). */
    public int openStreamCount() {
        return streams.size();
    }

    /** A stream closed both ways: on the client's side its thread may still run; an origin stream leaves at once. */
    void streamClosed(Http2Stream stream) {
        if (role == Role.CLIENT) {
            streams.remove(stream.id(), stream);
            closeIfDrained();
        }
    }

    /** The stream's thread is done with it. */
    void streamDone(Http2Stream stream) {
        streams.remove(stream.id(), stream);
        closeIfDrained();
    }

    private void closeIfDrained() {
        if (goingAway && streams.isEmpty()) {
            closeNow("GOAWAY, and every stream has ended");
        }
    }

    void sendReset(int streamId, ErrorCode code) {
        if (closed) {
            return;
        }
        try {
            writer.rstStream(streamId, code);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> name + ": RST_STREAM failed: " + e);
        }
    }

    // ---- ending -------------------------------------------------------------------------------------------------

    /**
     * Graceful shutdown (RFC 9113 section 6.8): GOAWAY with the last stream taken; streams in flight finish, new ones
     * are refused, and the connection closes when the last one ends.
     */
    public void shutdown() {
        if (goingAway || closed) {
            closeIfDrained();
            return;
        }
        goingAway = true;
        try {
            writer.goAway(role == Role.SERVER ? lastPeerStreamId : 0, ErrorCode.NO_ERROR, "wiretap is closing the connection");
        } catch (IOException e) {
            closeNow("GOAWAY could not be written: " + e.getMessage());
            return;
        }
        closeIfDrained();
    }

    /** Closes at once: every stream in flight fails. */
    public void close() {
        closeNow("closed by wiretap");
    }

    private void closeNow(String reason) {
        if (closed) {
            return;
        }
        closeReason = reason;
        closed = true;
        if (deadlines != null) {
            deadlines.close();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a connection that is done with: nothing useful can be done about a failure.
        }
        for (Http2Stream s : streams.values()) {
            s.fail(new StreamResetException("the HTTP/2 connection ended: " + reason, ErrorCode.CANCEL, true));
        }
        wakeWriters();
        Runnable hook = onClosed;
        if (hook != null) {
            hook.run();
        }
    }

    /** Whether streams wait untimed, woken by the watchdog's tick when their wait runs out. */
    boolean watchesDeadlines() {
        return deadlines != null;
    }

    /** On the watchdog's tick: wakes the streams whose wait ran out (they find so and time out). */
    private void wakeOverdue(long now) {
        for (Http2Stream s : streams.values()) {
            s.wakeIfOverdue(now);
        }
    }

    /** Why the connection closed, once it has. */
    public String closeReason() {
        return closeReason;
    }

    private static int readInt(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    @Override
    public String toString() {
        return "HTTP/2 " + name;
    }
}
