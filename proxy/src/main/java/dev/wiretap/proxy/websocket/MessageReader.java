package dev.wiretap.proxy.websocket;

import dev.wiretap.proxy.flow.CloseCodes;
import dev.wiretap.proxy.flow.WebSocketMessage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Puts one direction's frames together into messages (RFC 6455 section 5.4), as a {@link FrameReader}'s listener: a
 * data message from its first frame through its continuations, with control frames between them standing alone. It
 * keeps each message's first bytes up to the capture cap (unmasked, and inflated for a compressed one), counts the rest
 * without keeping it, and hands each finished message to its {@link Sink}.
 *
 * <p>Checked here: continuations with nothing to continue, and a new message before the last one ended (1002); text
 * that is not UTF-8, checked over the whole message (1007); compressed data that does not inflate (1007); a Close
 * frame's payload (one byte, or a code that may not be sent: 1002; a reason that is not UTF-8: 1007, section 5.5.1); a
 * message over the size limit, inflated size included (1009).
 *
 * <p>Not thread-safe: one per direction, on that direction's relay thread.
 */
final class MessageReader implements FrameReader.Listener, AutoCloseable {

    /** Where finished messages go. */
    public interface Sink {
        void message(WebSocketMessage message) throws WebSocketViolation;
    }

    private static final int SCRATCH_BYTES = 16 * 1024;
    private static final byte[] NO_BYTES = new byte[0];
    /** Unmasking eight bytes at a time. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final boolean fromClient;
    /** The most a message's capture takes before its bytes arrive. */
    private static final int FIRST_BYTES = 8 * 1024;
    private final int captureCap;
    private final long maxMessageBytes;
    private final AtomicLong indices;
    private final Sink sink;
    private final MessageInflater inflater;
    private final Utf8Validator utf8 = new Utf8Validator();
    private final byte[] scratch = new byte[SCRATCH_BYTES];
    private final byte[] control = new byte[125];
    private final MessageInflater.Output content = this::content;

    private FrameHeader frame;
    private int controlLength;
    private boolean inMessage;
    private WebSocketMessage.Type type;
    private boolean compressed;
    private long wireSize;
    private long size;
    private byte[] captured = NO_BYTES;
    private int capturedLength;

    /**
     * @param fromClient      whether this direction carries the client's messages
     * @param extensions      what the handshake agreed (permessage-deflate and each side's context takeover)
     * @param captureCap      most bytes kept of each message
     * @param maxMessageBytes the largest message allowed, compressed or inflated (larger: 1009)
     * @param indices         the socket's message counter, shared by both directions
     */
    public MessageReader(boolean fromClient, AgreedExtensions extensions, int captureCap, long maxMessageBytes,
                         AtomicLong indices, Sink sink) {
        this.fromClient = fromClient;
        this.captureCap = captureCap;
        this.maxMessageBytes = maxMessageBytes;
        this.indices = indices;
        this.sink = sink;
        this.inflater = extensions.deflate()
                ? new MessageInflater(fromClient ? extensions.clientResets() : extensions.serverResets()) : null;
    }

    /** Whether a data message has begun and not yet ended. */
    public boolean isInMessage() {
        return inMessage;
    }

    /** The current data message's payload bytes on the wire so far. */
    public long messageWireSize() {
        return wireSize;
    }

    @Override
    public void header(FrameHeader header) throws WebSocketViolation {
        frame = header;
        if (header.isControl()) {
            controlLength = 0;
            return;
        }
        if (header.opcode() == FrameHeader.CONTINUATION) {
            if (!inMessage) {
                throw WebSocketViolation.protocol("a continuation frame came with no message to continue (RFC 6455 section 5.4)");
            }
        } else {
            if (inMessage) {
                throw WebSocketViolation.protocol("a new message began before the fragmented one ended (RFC 6455 section 5.4)");
            }
            inMessage = true;
            type = header.opcode() == FrameHeader.TEXT ? WebSocketMessage.Type.TEXT : WebSocketMessage.Type.BINARY;
            compressed = header.rsv1();
            wireSize = 0;
            size = 0;
            capturedLength = 0;
            // Sized for the first frame, the whole message when it is not fragmented: kept without a copy when it ends.
            // Never more than 8 KiB before the bytes arrive, whatever length the frame declares: it grows as they come.
            int expected = (int) Math.min(Math.min(captureCap, FIRST_BYTES),
                    compressed ? Math.max(256, 2 * header.length()) : header.length());
            if (captured.length != expected || captured == NO_BYTES) {
                captured = expected == 0 ? NO_BYTES : new byte[expected];
            }
            utf8.reset();
        }
        if (wireSize + header.length() > maxMessageBytes) {
            throw tooBig(wireSize + header.length());
        }
    }

    @Override
    public void payload(ByteBuffer chunk, int from, int to, long offset) throws WebSocketViolation {
        if (frame.isControl()) {
            for (int i = from; i < to; i++) {
                control[controlLength++] = unmask(chunk.get(i), offset + (i - from));
            }
            return;
        }
        int n = to - from;
        wireSize += n;
        if (!compressed) {
            plainPayload(chunk, from, to, offset);
            return;
        }
        for (int at = from; at < to; ) {
            int len = Math.min(SCRATCH_BYTES, to - at);
            chunk.get(at, scratch, 0, len);
            if (frame.masked()) {
                unmask(scratch, 0, len, offset + (at - from));
            }
            if (compressed) {
                inflater.inflate(scratch, 0, len, content);
            } else {
                content(scratch, 0, len);
            }
            at += len;
        }
    }

    /**
     * An uncompressed message's payload: what is kept is copied once, straight into the capture, and unmasked there;
     * the rest is only counted, except that text is checked to its end.
     */
    private void plainPayload(ByteBuffer chunk, int from, int to, long offset) throws WebSocketViolation {
        int n = to - from;
        size += n;
        if (size > maxMessageBytes) {
            throw tooBig(size);
        }
        int keep = (int) Math.min(n, captureCap - capturedLength);
        if (keep > 0) {
            reserve(keep);
            chunk.get(from, captured, capturedLength, keep);
            if (frame.masked()) {
                unmask(captured, capturedLength, keep, offset);
            }
            checkText(captured, capturedLength, keep);
            capturedLength += keep;
        }
        if (type == WebSocketMessage.Type.TEXT) {
            for (int at = from + keep; at < to; ) {
                int len = Math.min(SCRATCH_BYTES, to - at);
                chunk.get(at, scratch, 0, len);
                if (frame.masked()) {
                    unmask(scratch, 0, len, offset + (at - from));
                }
                checkText(scratch, 0, len);
                at += len;
            }
        }
    }

    private void reserve(int keep) {
        if (capturedLength + keep > captured.length) {
            captured = Arrays.copyOf(captured, (int) Math.min(captureCap,
                    Math.max(Math.max(256L, 2L * captured.length), capturedLength + keep)));
        }
    }

    private void checkText(byte[] b, int off, int len) throws WebSocketViolation {
        if (type == WebSocketMessage.Type.TEXT && !utf8.accept(b, off, len)) {
            throw new WebSocketViolation(CloseCodes.INVALID_DATA, "a text message was not valid UTF-8 (RFC 6455 section 8.1)");
        }
    }

    /** The message's content (inflated, for a compressed one): counted, kept up to the cap, checked for text. */
    private void content(byte[] b, int off, int len) throws WebSocketViolation {
        size += len;
        if (size > maxMessageBytes) {
            throw tooBig(size);
        }
        int keep = (int) Math.min(len, captureCap - capturedLength);
        if (keep > 0) {
            reserve(keep);
            System.arraycopy(b, off, captured, capturedLength, keep);
            capturedLength += keep;
        }
        checkText(b, off, len);
    }

    @Override
    public void frameEnd() throws WebSocketViolation {
        FrameHeader ended = frame;
        frame = null;
        if (ended.isControl()) {
            controlFrame(ended.opcode());
            return;
        }
        if (!ended.fin()) {
            return;
        }
        if (compressed) {
            inflater.endMessage(content);
        }
        if (type == WebSocketMessage.Type.TEXT && !utf8.isComplete()) {
            throw new WebSocketViolation(CloseCodes.INVALID_DATA, "a text message ended inside a UTF-8 sequence (RFC 6455 section 8.1)");
        }
        inMessage = false;
        byte[] content;
        if (capturedLength == captured.length) {
            content = captured; // handed over whole: the next message gets an array of its own
            captured = NO_BYTES;
        } else {
            content = Arrays.copyOf(captured, capturedLength);
        }
        sink.message(new WebSocketMessage(indices.getAndIncrement(), fromClient, type, Instant.now(), wireSize, size,
                compressed, content, -1, ""));
    }

    private void controlFrame(int opcode) throws WebSocketViolation {
        byte[] payload = Arrays.copyOf(control, controlLength);
        int code = -1;
        String reason = "";
        WebSocketMessage.Type t = switch (opcode) {
            case FrameHeader.PING -> WebSocketMessage.Type.PING;
            case FrameHeader.PONG -> WebSocketMessage.Type.PONG;
            default -> WebSocketMessage.Type.CLOSE;
        };
        if (t == WebSocketMessage.Type.CLOSE) {
            if (controlLength == 1) {
                throw WebSocketViolation.protocol("a Close frame's payload was one byte, too short for a status code (RFC 6455 section 5.5.1)");
            }
            if (controlLength >= 2) {
                code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
                if (!CloseCodes.isValid(code)) {
                    throw WebSocketViolation.protocol("a Close frame carried the status code " + code
                            + ", which may not be sent (RFC 6455 section 7.4)");
                }
                Utf8Validator reasonCheck = new Utf8Validator();
                if (!reasonCheck.accept(control, 2, controlLength - 2) || !reasonCheck.isComplete()) {
                    throw new WebSocketViolation(CloseCodes.INVALID_DATA, "a Close frame's reason was not valid UTF-8 (RFC 6455 section 5.5.1)");
                }
                reason = new String(control, 2, controlLength - 2, StandardCharsets.UTF_8);
            }
        }
        sink.message(new WebSocketMessage(indices.getAndIncrement(), fromClient, t, Instant.now(), controlLength,
                controlLength, false, payload, code, reason));
    }

    private WebSocketViolation tooBig(long bytes) {
        return new WebSocketViolation(CloseCodes.TOO_BIG, "a message reached " + bytes + " bytes, over the limit of "
                + maxMessageBytes + " (limits.max_websocket_message)");
    }

    private byte unmask(byte b, long offset) {
        int shift = 24 - 8 * (int) (offset & 3);
        return (byte) (b ^ (frame.maskKey() >>> shift));
    }

    /** Unmasks {@code len} bytes at {@code off}, the first of them at {@code offset} in the payload (section 5.3). */
    private void unmask(byte[] b, int off, int len, long offset) {
        int rotate = 8 * (int) (offset & 3);
        int key = Integer.rotateLeft(frame.maskKey(), rotate); // its first byte now masks the slice's first byte
        long key8 = ((long) key << 32) | (key & 0xFFFFFFFFL);
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            LONGS.set(b, off + i, (long) LONGS.get(b, off + i) ^ key8);
        }
        for (; i < len; i++) {
            b[off + i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
        }
    }

    @Override
    public void close() {
        if (inflater != null) {
            inflater.close();
        }
    }
}
