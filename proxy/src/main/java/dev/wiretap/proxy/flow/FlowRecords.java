package dev.wiretap.proxy.flow;

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
 */
public final class FlowRecords {

    /**
     * Version 2 added the flow's notes and the id of the flow it replays, version 3 the TLS handshake's time (after the
     * connect time); records of versions 1 and 2 are still read (their handshake time is -1: not recorded). Version 4
     * added a response's trailers (after its body).
     */
    private static final byte VERSION = 4;

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

    /** Reads a flow written by {@link #write} at {@code offset}. */
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
        Instant started = Instant.ofEpochSecond(r.i64(), r.i32());
        long dns = r.i64();
        long connect = r.i64();
        long ssl = version >= 3 ? r.i64() : -1;
        Timings timings = new Timings(started, dns, connect, ssl, r.i64(), r.i64(), r.i64(), r.i64());
        long startNanos = r.i64();
        Flow.State state = Flow.State.values()[r.u8()];
        int flags = r.u8();
        boolean reused = (flags & 1) != 0;
        boolean intercepted = (flags & 2) != 0;
        int ruleCount = r.i32();
        java.util.List<String> rules = new java.util.ArrayList<>(ruleCount);
        for (int i = 0; i < ruleCount; i++) {
            rules.add(r.str());
        }
        String serverAddress = r.str();
        long fromClient = r.i64();
        long toClient = r.i64();
        FlowError error = null;
        if (r.u8() == 1) {
            error = new FlowError(FlowError.Kind.values()[r.u8()], r.str());
        }
        java.util.List<String> notes = new java.util.ArrayList<>();
        long replayOf = 0;
        if (version >= 2) {
            int noteCount = r.i32();
            for (int i = 0; i < noteCount; i++) {
                notes.add(r.str());
            }
            replayOf = r.i64();
        }
        Request request = readRequest(r, withBodies);
        Response response = r.u8() == 1 ? readResponse(r, withBodies) : null;
        if (response != null && version >= 4 && r.u8() == 1) {
            response.setTrailers(readHeaders(r, null));
        }
        return Flow.restore(id, client, timings, startNanos, request, response, error, state, reused, intercepted,
                rules, serverAddress, fromClient, toClient, notes, replayOf);
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
    }

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
        HttpVersion version = HttpVersion.values()[r.u8()];
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
        HttpVersion version = HttpVersion.values()[r.u8()];
        int status = r.i32();
        String reason = r.str();
        byte[] head = r.bytes();
        Headers headers = readHeaders(r, head);
        Response response = new Response(version, status, reason, headers, head);
        response.setBody(readBody(r, withBodies));
        return response;
    }

    private static Headers readHeaders(Reader r, byte[] wireHead) {
        boolean shared = r.u8() == 1;
        byte[] data = shared ? wireHead : r.bytes();
        int count = r.i32();
        int[] spans = new int[Math.max(5 * count, 5)];
        for (int i = 0; i < 5 * count; i++) {
            spans[i] = r.i32();
        }
        return Headers.restore(data, data.length, spans, count, shared);
    }

    private static Body readBody(Reader r, boolean withBytes) {
        long size = r.i64();
        if (withBytes) {
            return Body.restore(r.bytes(), size);
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

    private static final class Reader {
        final byte[] src;
        int pos;

        Reader(byte[] src, int pos) {
            this.src = src;
            this.pos = pos;
        }

        int u8() {
            return src[pos++] & 0xFF;
        }

        int i32() {
            int v = ((src[pos] & 0xFF) << 24) | ((src[pos + 1] & 0xFF) << 16) | ((src[pos + 2] & 0xFF) << 8) | (src[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        long i64() {
            return ((long) i32() << 32) | (i32() & 0xFFFFFFFFL);
        }

        byte[] bytes() {
            int length = i32();
            byte[] b = java.util.Arrays.copyOfRange(src, pos, pos + length);
            pos += length;
            return b;
        }

        void skipBytes() {
            int length = i32(); // before the += : pos must be read after i32() has moved it
            pos += length;
        }

        String str() {
            int length = i32();
            String v = new String(src, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return v;
        }
    }
}
