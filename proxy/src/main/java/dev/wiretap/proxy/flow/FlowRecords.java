package dev.wiretap.proxy.flow;

import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The compact binary form of a finished flow: everything a flow holds (wire heads, fields, captured bodies,
 * sizes, timings, error) in one byte run, so that the flow store can keep tens of thousands of flows as a few large
 * arrays the garbage collector never has to walk, and so that a session can be written to a file and read back.
 *
 * <p>Layout: a version byte, then fields in a fixed order; strings as UTF-8 with a length; byte runs with a
 * length; numbers big-endian. {@link #size} gives the exact length {@link #write} will use. Stateless.
 *
 * <p>Reading trusts nothing it reads, since a record may come from a file (a session file, damaged or crafted): every
 * length, count, offset and enum value is checked against what the array holds before anything is allocated or
 * indexed, and a record that fails a check is an {@link IllegalArgumentException} saying what and where, never an
 * {@code Error} or a flow that fails later when shown.
 */
public final class FlowRecords {

    /**
     * Version 2 added the flow's notes and the id of the flow it replays, version 3 the TLS handshake's time (after the
     * connect time), version 4 what the TLS handshakes with the client and the origin settled (at the end), version 5 a
     * WebSocket's messages (after those), version 6 a response's trailers (after its body); records of versions 1 to 5
     * are still read (their handshake time is -1 before version 3: not recorded; no TLS details before version 4; no
     * messages before version 5; no trailers before version 6).
     */
    private static final byte VERSION = 6;

    private FlowRecords() {
    }

    /** The exact number of bytes {@link #write} needs for {@code flow}. */
    public static int size(Flow flow) {
        Sizer s = new Sizer();
        encode(flow, s);
        return s.size;
    }

    /** Writes {@code flow} at {@code offset}; returns the offset after it. */
    public static int write(Flow flow, byte[] dst, int offset) {
        Writer w = new Writer(dst, offset);
        encode(flow, w);
        return w.pos;
    }

    /** A copy of finished {@code flow} numbered {@code id} (for flows loaded from a session file). */
    public static Flow renumbered(Flow flow, long id) {
        byte[] record = new byte[size(flow)];
        write(flow, record, 0);
        new Writer(record, 1).i64(id); // the id follows the version byte
        return read(record, 0);
    }

    /**
     * Reads a flow written by {@link #write} at {@code offset}.
     *
     * @throws IllegalArgumentException if the bytes are not a whole, sound flow record (the message says what is wrong)
     */
    public static Flow read(byte[] src, int offset) {
        return read(src, offset, true);
    }

    /**
     * Reads a flow written by {@link #write} at {@code offset} without copying its bodies' bytes, for lists that show a
     * flow's size but never its body: each {@link Body} has its size and no captured bytes (so it reads as cut short).
     * Never hand such a flow to anything that reads bodies.
     */
    public static Flow readWithoutBodies(byte[] src, int offset) {
        return read(src, offset, false);
    }

    private static Flow read(byte[] src, int offset, boolean withBodies) {
        Reader r = new Reader(src, offset);
        int version = r.u8();
        if (version < 1 || version > VERSION) {
            throw new IllegalArgumentException("not a flow record of version 1 to " + VERSION + " (version " + version + ")");
        }
        long id = r.i64();
        InetSocketAddress client = address(r.bytes(), r.i32());
        Instant started = r.instant();
        long dns = r.i64();
        long connect = r.i64();
        long ssl = version >= 3 ? r.i64() : -1;
        Timings timings = new Timings(started, dns, connect, ssl, r.i64(), r.i64(), r.i64(), r.i64());
        long startNanos = r.i64();
        Flow.State state = r.oneOf(Flow.State.values(), "flow state");
        int flags = r.u8();
        boolean reused = (flags & 1) != 0;
        boolean intercepted = (flags & 2) != 0;
        int ruleCount = r.count(4, "rules");
        java.util.List<String> rules = new java.util.ArrayList<>(ruleCount);
        for (int i = 0; i < ruleCount; i++) {
            rules.add(r.str());
        }
        String serverAddress = r.str();
        long fromClient = r.i64();
        long toClient = r.i64();
        FlowError error = null;
        if (r.u8() == 1) {
            error = new FlowError(r.oneOf(FlowError.Kind.values(), "error kind"), r.str());
        }
        java.util.List<String> notes = new java.util.ArrayList<>();
        long replayOf = 0;
        if (version >= 2) {
            int noteCount = r.count(4, "notes");
            for (int i = 0; i < noteCount; i++) {
                notes.add(r.str());
            }
            replayOf = r.i64();
        }
        Request request = readRequest(r, withBodies);
        Response response = r.u8() == 1 ? readResponse(r, withBodies) : null;
        if (response != null && version >= 6 && r.u8() == 1) {
            response.setTrailers(readHeaders(r, null));
        }
        TlsHandshake clientTls = version >= 4 ? readTls(r) : null;
        TlsHandshake upstreamTls = version >= 4 ? readTls(r) : null;
        WebSocketMessages webSocket = version >= 5 && r.u8() == 1 ? readMessages(r, withBodies) : null;
        return LiveFlow.restore(id, client, timings, startNanos, request, response, error, state, reused, intercepted,
                rules, serverAddress, fromClient, toClient, notes, replayOf, clientTls, upstreamTls, webSocket);
    }

    private static void encode(Flow flow, Sink s) {
        s.u8(VERSION);
        s.i64(flow.id());
        s.bytes(flow.client().getAddress().getAddress());
        s.i32(flow.client().getPort());
        Timings t = flow.timings();
        s.i64(t.started().getEpochSecond());
        s.i32(t.started().getNano());
        s.i64(t.dnsNanos());
        s.i64(t.connectNanos());
        s.i64(t.sslNanos());
        s.i64(t.sendNanos());
        s.i64(t.waitNanos());
        s.i64(t.receiveNanos());
        s.i64(t.totalNanos());
        s.i64(flow.startNanos());
        s.u8(flow.state().ordinal());
        s.u8((flow.isReusedUpstream() ? 1 : 0) | (flow.isIntercepted() ? 2 : 0));
        java.util.List<String> rules = flow.appliedRules();
        s.i32(rules.size());
        for (String rule : rules) {
            s.str(rule);
        }
        s.str(flow.serverAddress());
        s.i64(flow.bytesFromClient());
        s.i64(flow.bytesToClient());
        FlowError error = flow.error().orElse(null);
        s.u8(error == null ? 0 : 1);
        if (error != null) {
            s.u8(error.kind().ordinal());
            s.str(error.message());
        }
        java.util.List<String> notes = flow.notes();
        s.i32(notes.size());
        for (String note : notes) {
            s.str(note);
        }
        s.i64(flow.replayOf().orElse(0));
        Request q = flow.request();
        s.str(q.method());
        s.str(q.target());
        s.u8(q.version().ordinal());
        s.bytes(q.wireHead());
        headers(q.headers(), q.wireHead(), s);
        Destination d = q.destination().orElse(null);
        s.u8(d == null ? 0 : 1);
        if (d != null) {
            s.str(d.scheme());
            s.str(d.host());
            s.i32(d.port());
            s.str(d.pathAndQuery());
        }
        body(q.body(), s);
        Response p = flow.response().orElse(null);
        s.u8(p == null ? 0 : 1);
        if (p != null) {
            s.u8(p.version().ordinal());
            s.i32(p.status());
            s.str(p.reason());
            s.bytes(p.wireHead());
            headers(p.headers(), p.wireHead(), s);
            body(p.body(), s);
            Headers trailers = p.trailers().orElse(null);
            s.u8(trailers == null ? 0 : 1);
            if (trailers != null) {
                headers(trailers, null, s);
            }
        }
        tls(flow.clientTls().orElse(null), s);
        tls(flow.upstreamTls().orElse(null), s);
        WebSocketMessages ws = flow.webSocket().orElse(null);
        s.u8(ws == null ? 0 : 1);
        if (ws != null) {
            messages(ws, s);
        }
    }

    /** A flag, then protocol, cipher suite and server name when there was TLS. */
    private static void tls(TlsHandshake tls, Sink s) {
        s.u8(tls == null ? 0 : 1);
        if (tls != null) {
            s.str(tls.protocol());
            s.str(tls.cipherSuite());
            s.str(tls.serverName());
        }
    }

    private static TlsHandshake readTls(Reader r) {
        return r.u8() == 1 ? new TlsHandshake(r.str(), r.str(), r.str()) : null;
    }

    /** A WebSocket's kept messages: how many were let go before them, then each with its captured content. */
    private static void messages(WebSocketMessages ws, Sink s) {
        java.util.List<WebSocketMessage> kept = ws.all();
        s.i64(ws.total() - kept.size());
        s.i32(kept.size());
        for (WebSocketMessage m : kept) {
            s.i64(m.index());
            s.u8((m.fromClient() ? 1 : 0) | (m.compressed() ? 2 : 0));
            s.u8(m.type().ordinal());
            s.i64(m.time().getEpochSecond());
            s.i32(m.time().getNano());
            s.i64(m.wireSize());
            s.i64(m.size());
            s.bytes(m.content());
            s.i32(m.closeCode());
            s.str(m.closeReason());
        }
    }

    private static WebSocketMessages readMessages(Reader r, boolean withContent) {
        long dropped = r.i64();
        if (dropped < 0) {
            throw new IllegalArgumentException("damaged flow record: " + dropped + " WebSocket messages let go");
        }
        int count = r.count(MESSAGE_MIN_BYTES, "WebSocket messages");
        java.util.List<WebSocketMessage> messages = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = r.i64();
            int flags = r.u8();
            WebSocketMessage.Type type = r.oneOf(WebSocketMessage.Type.values(), "WebSocket message type");
            Instant time = r.instant();
            long wireSize = r.i64();
            long size = r.i64();
            byte[] content;
            if (withContent) {
                content = r.bytes();
            } else {
                r.skipBytes();
                content = NO_BYTES;
            }
            if (index < 0 || wireSize < 0 || size < content.length && withContent) {
                throw new IllegalArgumentException("damaged flow record: WebSocket message " + index + " of " + size + " bytes");
            }
            messages.add(new WebSocketMessage(index, (flags & 1) != 0, type, time, wireSize, size, (flags & 2) != 0,
                    content, r.i32(), r.str()));
        }
        return WebSocketMessages.restore(messages, dropped);
    }

    /** The fewest bytes a stored WebSocket message takes: its numbers, and empty content and reason. */
    private static final int MESSAGE_MIN_BYTES = 8 + 1 + 1 + 8 + 4 + 8 + 8 + 4 + 4 + 4;

    /** Fields: when unchanged they are spans into the wire head already written, else their own bytes too. */
    private static void headers(Headers h, byte[] wireHead, Sink s) {
        boolean shared = h.sharesWireHead() && h.data() == wireHead;
        s.u8(shared ? 1 : 0);
        if (!shared) {
            s.bytes(h.data(), h.dataLength());
        }
        s.i32(h.size());
        int[] spans = h.spans();
        for (int i = 0; i < 5 * h.size(); i++) {
            s.i32(spans[i]);
        }
    }

    private static void body(Body b, Sink s) {
        s.i64(b.size());
        s.bytes(b.capturedArray(), b.capturedLength());
    }

    private static Request readRequest(Reader r, boolean withBodies) {
        String method = r.str();
        String target = r.str();
        HttpVersion version = r.oneOf(HttpVersion.values(), "HTTP version");
        byte[] head = r.bytes();
        Headers headers = readHeaders(r, head);
        Request request = new Request(method, target, version, headers, head);
        if (r.u8() == 1) {
            request.setDestination(new Destination(r.str(), r.str(), r.i32(), r.str()));
        }
        request.setBody(readBody(r, withBodies));
        return request;
    }

    private static Response readResponse(Reader r, boolean withBodies) {
        HttpVersion version = r.oneOf(HttpVersion.values(), "HTTP version");
        int status = r.i32();
        String reason = r.str();
        byte[] head = r.bytes();
        Headers headers = readHeaders(r, head);
        Response response = new Response(version, status, reason, headers, head);
        response.setBody(readBody(r, withBodies));
        return response;
    }

    /** A message's fields; {@code wireHead} is the head they may share their bytes with (null: none, as for trailers). */
    private static Headers readHeaders(Reader r, byte[] wireHead) {
        boolean shared = r.u8() == 1;
        if (shared && wireHead == null) {
            throw new IllegalArgumentException("damaged flow record: trailer fields said to share a head they have none of");
        }
        byte[] data = shared ? wireHead : r.bytes();
        int count = r.count(5 * 4, "header fields");
        int[] spans = new int[Math.max(5 * count, 5)];
        for (int i = 0; i < 5 * count; i++) {
            spans[i] = r.i32();
        }
        for (int f = 0; f < count; f++) {
            // name start <= name end <= value start <= value end <= line end, all within the field bytes: a field whose
            // offsets point elsewhere would fail only when someone looks at it.
            int previous = 0;
            for (int k = 5 * f; k < 5 * f + 5; k++) {
                if (spans[k] < previous || spans[k] > data.length) {
                    throw new IllegalArgumentException("damaged flow record: header field " + (f + 1) + " of " + count
                            + " has offsets outside its " + data.length + " bytes");
                }
                previous = spans[k];
            }
        }
        return Headers.restore(data, data.length, spans, count, shared);
    }

    private static Body readBody(Reader r, boolean withBytes) {
        long size = r.i64();
        if (size < 0) {
            throw new IllegalArgumentException("damaged flow record: a body of " + size + " bytes");
        }
        if (withBytes) {
            byte[] captured = r.bytes();
            if (captured.length > size) {
                throw new IllegalArgumentException("damaged flow record: " + captured.length
                        + " bytes captured of a body of " + size);
            }
            return Body.restore(captured, size);
        }
        r.skipBytes();
        return Body.restore(NO_BYTES, size);
    }

    private static final byte[] NO_BYTES = new byte[0];

    private static InetSocketAddress address(byte[] ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address in a flow record", e);
        }
    }

    /** Where {@link #encode} puts its output: counted first, then written. */
    private interface Sink {
        void u8(int v);

        void i32(int v);

        void i64(long v);

        void bytes(byte[] b, int length);

        default void bytes(byte[] b) {
            bytes(b, b.length);
        }

        default void str(String v) {
            bytes(v.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final class Sizer implements Sink {
        int size;

        @Override
        public void u8(int v) {
            size += 1;
        }

        @Override
        public void i32(int v) {
            size += 4;
        }

        @Override
        public void i64(long v) {
            size += 8;
        }

        @Override
        public void bytes(byte[] b, int length) {
            size += 4 + length;
        }

        @Override
        public void str(String v) {
            size += 4 + (isLatin1Ascii(v) ? v.length() : v.getBytes(StandardCharsets.UTF_8).length);
        }

        static boolean isLatin1Ascii(String v) {
            for (int i = 0; i < v.length(); i++) {
                if (v.charAt(i) >= 0x80) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final class Writer implements Sink {
        final byte[] dst;
        int pos;

        Writer(byte[] dst, int pos) {
            this.dst = dst;
            this.pos = pos;
        }

        @Override
        public void u8(int v) {
            dst[pos++] = (byte) v;
        }

        @Override
        public void i32(int v) {
            dst[pos++] = (byte) (v >>> 24);
            dst[pos++] = (byte) (v >>> 16);
            dst[pos++] = (byte) (v >>> 8);
            dst[pos++] = (byte) v;
        }

        @Override
        public void i64(long v) {
            i32((int) (v >>> 32));
            i32((int) v);
        }

        @Override
        public void bytes(byte[] b, int length) {
            i32(length);
            System.arraycopy(b, 0, dst, pos, length);
            pos += length;
        }

        @Override
        public void str(String v) {
            if (!Sizer.isLatin1Ascii(v)) {
                Sink.super.str(v);
                return;
            }
            int length = v.length();
            i32(length);
            for (int i = 0; i < length; i++) {
                dst[pos++] = (byte) v.charAt(i);
            }
        }
    }

    /** Reads a record's fields, each checked against the bytes that are there. */
    private static final class Reader {
        final byte[] src;
        int pos;

        Reader(byte[] src, int pos) {
            this.src = src;
            this.pos = pos;
            if (pos < 0 || pos >= src.length) {
                throw new IllegalArgumentException("no flow record at " + pos + " of " + src.length + " bytes");
            }
        }

        /** Checks that {@code n} more bytes are there. */
        private void need(long n, String what) {
            if (n < 0 || n > src.length - pos) {
                throw new IllegalArgumentException("damaged flow record: " + what + " of " + n + " bytes at byte " + pos
                        + ", where " + (src.length - pos) + " are left");
            }
        }

        int u8() {
            need(1, "a field");
            return src[pos++] & 0xFF;
        }

        int i32() {
            need(4, "a field");
            int v = ((src[pos] & 0xFF) << 24) | ((src[pos + 1] & 0xFF) << 16) | ((src[pos + 2] & 0xFF) << 8) | (src[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long i64() {
            return ((long) i32() << 32) | (i32() & 0xFFFFFFFFL);
        }

        /** A count of things each at least {@code minBytes} long, so that no count can ask for more than is there. */
        int count(int minBytes, String what) {
            int n = i32();
            if (n < 0 || n > (src.length - pos) / minBytes) {
                throw new IllegalArgumentException("damaged flow record: " + n + " " + what + " at byte " + (pos - 4)
                        + ", where " + (src.length - pos) + " bytes are left");
            }
            return n;
        }

        <E extends Enum<E>> E oneOf(E[] values, String what) {
            int ordinal = u8();
            if (ordinal >= values.length) {
                throw new IllegalArgumentException("damaged flow record: no " + what + " number " + ordinal);
            }
            return values[ordinal];
        }

        Instant instant() {
            long seconds = i64();
            int nanos = i32();
            try {
                return Instant.ofEpochSecond(seconds, nanos);
            } catch (java.time.DateTimeException | ArithmeticException e) {
                throw new IllegalArgumentException("damaged flow record: a start time of " + seconds + " s " + nanos + " ns");
            }
        }

        byte[] bytes() {
            int length = i32();
            need(length, "a byte run");
            byte[] b = java.util.Arrays.copyOfRange(src, pos, pos + length);
            pos += length;
            return b;
        }

        void skipBytes() {
            int length = i32(); // before the += : pos must be read after i32() has moved it
            need(length, "a byte run");
            pos += length;
        }

        String str() {
            int length = i32();
            need(length, "a string");
            String v = new String(src, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return v;
        }
    }
}
