package dev.wiretap.proxy.http1;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.CaptureAccount;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;

/**
 * A message body read into memory before it goes on, so that an addon (intercept) can look at it and replace it:
 * whole when it fits within a limit, else the part read so far and where the rest stands on the wire, so that such
 * a body still goes on unchanged. Bodies are otherwise never held whole; this is only for a message an addon asked
 * to hold.
 *
 * <p>States: <b>whole</b> (every payload byte is in memory; chunked framing, extensions and trailers are gone),
 * <b>partial</b> (the first bytes are in memory and the rest is still on the wire: for a chunked body the data of
 * the chunk whose size line was read last and the chunks after it, for a close-delimited one the rest until close,
 * for a Content-Length one the bytes after those read), and <b>unread</b> (a Content-Length body over the limit:
 * nothing was read, the whole body is on the wire).
 *
 * <p>The memory grows with the bytes that arrive (never at once to the length a message declares), drawn from the
 * exchange's {@link CaptureAccount}: when the budget for captures of flows in flight is spent, reading stops there and
 * the body is partial.
 *
 * <p>Made and used on the connection thread that owns the input; not thread-safe.
 */
public final class HeldBody {

    private static final byte[] NONE = new byte[0];

    private final HttpInput in;
    private final BodyFraming framing;
    private final boolean fromClient;
    private final Limits limits;
    private final byte[] bytes;
    private final boolean whole;
    /** For a partial chunked body: the data bytes of the chunk whose size line was read and whose data was not. */
    private final long pendingChunkBytes;

    private HeldBody(HttpInput in, BodyFraming framing, boolean fromClient, Limits limits, byte[] bytes, boolean whole,
                     long pendingChunkBytes) {
        this.in = in;
        this.framing = framing;
        this.fromClient = fromClient;
        this.limits = limits;
        this.bytes = bytes;
        this.whole = whole;
        this.pendingChunkBytes = pendingChunkBytes;
    }

    /**
     * Whether {@link #read} would read anything of a body framed as {@code framing}: not for a Content-Length over
     * {@code maxBytes}, which is known too large before its first byte (so a client waiting for 100 Continue need not
     * be told to send it yet).
     */
    public static boolean mayFit(BodyFraming framing, int maxBytes) {
        return !(framing instanceof BodyFraming.Fixed f) || f.length() <= maxBytes;
    }

    /**
     * Reads the body framed as {@code framing} from {@code in}, up to {@code maxBytes} of payload, its memory drawn
     * from {@code captures}.
     *
     * @param fromClient whether a client sends it (for the side a fault is charged to)
     * @throws RelayException if the sender broke off, stalled or broke the framing (always the source's fault)
     */
    public static HeldBody read(HttpInput in, BodyFraming framing, boolean fromClient, Limits limits, int maxBytes,
                                CaptureAccount captures) throws RelayException {
        long got = 0;
        Flow.Side side = fromClient ? Flow.Side.REQUEST : Flow.Side.RESPONSE;
        try {
            switch (framing) {
                case BodyFraming.None n -> {
                    return new HeldBody(in, framing, fromClient, limits, NONE, true, -1);
                }
                case BodyFraming.Fixed f -> {
                    if (f.length() > maxBytes) {
                        return new HeldBody(in, framing, fromClient, limits, NONE, false, -1);
                    }
                    int total = (int) f.length();
                    byte[] b = NONE;
                    int length = 0;
                    while (length < total) {
                        if (length == b.length) {
                            byte[] bigger = captures.grow(b, length + 1, total, side, total);
                            if (bigger == null) {
                                return new HeldBody(in, framing, fromClient, limits, b, false, -1); // the rest stays on the wire
                            }
                            b = bigger;
                        }
                        int n = in.read(b, length, b.length - length);
                        if (n < 0) {
                            throw new EOFException("connection closed after " + length + " body bytes");
                        }
                        length += n;
                        got = length;
                    }
                    return new HeldBody(in, framing, fromClient, limits, b, true, -1);
                }
                case BodyFraming.Chunked c -> {
                    ChunkedReader chunks = fromClient ? ChunkedReader.fromClient(in, limits) : ChunkedReader.fromOrigin(in, limits);
                    byte[] b = NONE;
                    int length = 0;
                    while (true) {
                        long size = chunks.nextChunkSize(null);
                        if (size == 0) {
                            chunks.readTrailers(null);
                            return new HeldBody(in, framing, fromClient, limits, Arrays.copyOf(b, length), true, -1);
                        }
                        if (length + size > maxBytes) {
                            return new HeldBody(in, framing, fromClient, limits, Arrays.copyOf(b, length), false, size);
                        }
                        if (length + size > b.length) {
                            byte[] bigger = captures.grow(b, (int) (length + size), maxBytes, side, -1);
                            if (bigger == null) {
                                return new HeldBody(in, framing, fromClient, limits, Arrays.copyOf(b, length), false, size);
                            }
                            b = bigger;
                        }
                        readFully(in, b, length, (int) size);
                        length += (int) size;
                        got = length;
                        chunks.endChunk(null);
                    }
                }
                case BodyFraming.UntilClose u -> {
                    byte[] b = NONE;
                    int length = 0;
                    while (true) {
                        if (length == maxBytes) {
                            boolean ended = in.peek() < 0;
                            return new HeldBody(in, framing, fromClient, limits, Arrays.copyOf(b, length), ended, -1);
                        }
                        if (length == b.length) {
                            byte[] bigger = captures.grow(b, length + 1, maxBytes, side, -1);
                            if (bigger == null) {
                                return new HeldBody(in, framing, fromClient, limits, b, false, -1);
                            }
                            b = bigger;
                        }
                        int n = in.read(b, length, b.length - length);
                        if (n < 0) {
                            return new HeldBody(in, framing, fromClient, limits, Arrays.copyOf(b, length), true, -1);
                        }
                        length += n;
                        got = length;
                    }
                }
            }
        } catch (ProtocolException e) {
            throw new RelayException(true, e.reason(), e, got);
        } catch (IOException e) {
            throw new RelayException(true, e.getMessage(), e, got);
        }
    }

    private static void readFully(HttpInput in, byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = in.read(b, off + done, len - done);
            if (n < 0) {
                throw new EOFException("connection closed after " + (off + done) + " body bytes");
            }
            done += n;
        }
    }

    /** Whether every payload byte is in memory. */
    public boolean isWhole() {
        return whole;
    }

    /** The payload read: the whole body, or its first bytes when not whole. Not a copy: do not change it. */
    public byte[] bytes() {
        return bytes;
    }

    /**
     * Sends a body that is not whole on unchanged: the bytes in memory, framed for {@code mode}, then the rest as it
     * comes from the wire. Returns what was captured of the whole body, in a capture of {@code relay}'s.
     *
     * @param mode {@link BodyRelay.Mode#AS_IS} keeps the framing (a chunked body stays chunked, its first bytes as
     *             one chunk); DECHUNK sends the payload of a chunked body alone; CHUNK sends a close-delimited body
     *             as chunks
     */
    public Body relayRest(BodyRelay relay, HttpOutput out, BodyRelay.Mode mode) throws RelayException {
        if (whole) {
            throw new IllegalStateException("the body is whole: send bytes() instead");
        }
        BodyCapture capture = relay.capture(fromClient, framing instanceof BodyFraming.Fixed f ? f.length() : -1);
        capture.add(bytes, 0, bytes.length);
        try {
            switch (framing) {
                case BodyFraming.Fixed f -> {
                    out.write(bytes, 0, bytes.length);
                    relay.relayInto(capture, in, new BodyFraming.Fixed(f.length() - bytes.length), fromClient, out, mode);
                }
                case BodyFraming.Chunked c -> {
                    if (mode == BodyRelay.Mode.CHUNK) {
                        throw new IllegalArgumentException("a chunked body is not chunked again");
                    }
                    boolean asIs = mode == BodyRelay.Mode.AS_IS;
                    if (asIs && bytes.length > 0) {
                        writeChunk(out, bytes.length);
                        out.write(bytes, 0, bytes.length);
                        out.crlf();
                    } else if (!asIs) {
                        out.write(bytes, 0, bytes.length);
                    }
                    if (asIs) {
                        writeChunk(out, pendingChunkBytes);
                    }
                    relay.relayInto(capture, in, new BodyFraming.Fixed(pendingChunkBytes), fromClient, out, BodyRelay.Mode.AS_IS);
                    ChunkedReader chunks = fromClient ? ChunkedReader.fromClient(in, limits) : ChunkedReader.fromOrigin(in, limits);
                    chunks.endChunk(asIs ? out : null);
                    relay.relayInto(capture, in, BodyFraming.CHUNKED, fromClient, out, mode);
                }
                case BodyFraming.UntilClose u -> {
                    if (mode == BodyRelay.Mode.CHUNK && bytes.length > 0) {
                        writeChunk(out, bytes.length);
                        out.write(bytes, 0, bytes.length);
                        out.crlf();
                    } else if (mode != BodyRelay.Mode.CHUNK) {
                        out.write(bytes, 0, bytes.length);
                    }
                    relay.relayInto(capture, in, framing, fromClient, out, mode);
                }
                case BodyFraming.None n -> throw new IllegalStateException("an empty body is always whole");
            }
        } catch (RelayException e) {
            throw e;
        } catch (ProtocolException e) {
            throw new RelayException(true, e.reason(), e, capture.size());
        } catch (IOException e) {
            throw new RelayException(!out.hasFailed(), e.getMessage(), e, capture.size());
        }
        return capture.finish();
    }

    /**
     * Fixes the framing fields of a message whose body is sent whole from memory: no Transfer-Encoding, and a
     * Content-Length of {@code length}, written only when it is not already right (so an unchanged field keeps its
     * wire form). A message that declares no body keeps declaring none when it still has none, unless
     * {@code declareEmpty}.
     */
    public static void fitFraming(Headers headers, long length, boolean declareEmpty) {
        headers.removeAll("Transfer-Encoding");
        String value = Long.toString(length);
        java.util.List<String> declared = headers.all("Content-Length");
        if (declared.size() == 1 && declared.get(0).equals(value)) {
            return;
        }
        if (length > 0 || declareEmpty || !declared.isEmpty()) {
            headers.set("Content-Length", value);
        }
    }

    private static void writeChunk(HttpOutput out, long size) throws IOException {
        out.writeHex(size);
        out.crlf();
    }
}
