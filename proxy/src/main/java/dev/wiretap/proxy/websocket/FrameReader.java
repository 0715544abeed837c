package dev.wiretap.proxy.websocket;

import java.nio.ByteBuffer;

/**
 * Reads the frames of one direction of a WebSocket out of the bytes as they pass (RFC 6455 section 5.2), without
 * copying them: it is fed each chunk the relay moves, finds the frame headers in it, checks them, and tells its
 * {@link Listener} of each header, of the payload's bytes where they lie in the chunk (still masked), and of each
 * frame's end. A header split across chunks is gathered; nothing else is kept.
 *
 * <p>Checked here, each a 1002: reserved opcodes; RSV2 and RSV3 (no extension wiretap knows uses them); RSV1 unless
 * permessage-deflate was agreed, and on control frames; control frames fragmented or over 125 bytes (section 5.5); a
 * client's frame unmasked or a server's masked (section 5.1); a 64-bit length with its top bit set, and a length not in
 * its shortest form (section 5.2).
 *
 * <p>States: in a header (gathering its 2 to 14 bytes), in a payload (counting its bytes down). Not thread-safe: one
 * per direction, used by that direction's relay thread.
 */
final class FrameReader {

    /** Told of each frame as it is read. */
    public interface Listener {
        /** A frame's header is in and passed the checks above. */
        void header(FrameHeader header) throws WebSocketViolation;

        /**
         * Payload bytes of the current frame: {@code chunk}'s bytes from {@code from} to {@code to}, as they flowed
         * (masked, for a client's frame); {@code offset} is where the first of them lies in the frame's payload.
         */
        void payload(ByteBuffer chunk, int from, int to, long offset) throws WebSocketViolation;

        /** The current frame's payload is complete. */
        void frameEnd() throws WebSocketViolation;
    }

    private final boolean fromClient;
    private final boolean rsv1Allowed;
    private final byte[] head = new byte[14];
    private int headLength;
    private int headNeeded = 2;
    private FrameHeader current;
    private long payloadLeft;
    private long payloadOffset;
    /** Where the frame being read began in the chunk being read, or -1 when it began in an earlier chunk. */
    private int frameStart = -1;

    /**
     * @param fromClient  whether this direction carries the client's frames (which must be masked)
     * @param rsv1Allowed whether permessage-deflate was agreed (then RSV1 marks a compressed message)
     */
    public FrameReader(boolean fromClient, boolean rsv1Allowed) {
        this.fromClient = fromClient;
        this.rsv1Allowed = rsv1Allowed;
    }

    /** Whether the bytes read so far end at a frame's boundary (nothing of a next frame read yet). */
    public boolean isAtFrameStart() {
        return current == null && headLength == 0;
    }

    /**
     * Where the frame that broke the rules began in the last chunk read, so that the relay can pass on what came before
     * it and nothing of it; -1 when some of it was passed on with an earlier chunk.
     */
    public int violationStart() {
        return frameStart;
    }

    /** Reads {@code chunk}'s bytes from its position to its limit; the position does not move. */
    public void read(ByteBuffer chunk, Listener listener) throws WebSocketViolation {
        int pos = chunk.position();
        int limit = chunk.limit();
        frameStart = isAtFrameStart() ? pos : -1;
        while (pos < limit) {
            if (current == null) {
                if (headLength == 0) {
                    frameStart = pos;
                }
                while (headLength < headNeeded && pos < limit) {
                    head[headLength++] = chunk.get(pos++);
                    if (headLength == 2) {
                        headNeeded = headerLength(head[1]);
                    }
                }
                if (headLength < headNeeded) {
                    return;
                }
                current = parseHeader();
                payloadLeft = current.length();
                payloadOffset = 0;
                headLength = 0;
                headNeeded = 2;
                listener.header(current);
            }
            int n = (int) Math.min(payloadLeft, limit - pos);
            if (n > 0) {
                listener.payload(chunk, pos, pos + n, payloadOffset);
                pos += n;
                payloadLeft -= n;
                payloadOffset += n;
            }
            if (payloadLeft == 0) {
                current = null;
                listener.frameEnd();
            }
        }
    }

    private static int headerLength(byte second) {
        int len7 = second & 0x7F;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((second & 0x80) != 0 ? 4 : 0);
    }

    private FrameHeader parseHeader() throws WebSocketViolation {
        int b0 = head[0] & 0xFF;
        int b1 = head[1] & 0xFF;
        boolean fin = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        int opcode = b0 & 0x0F;
        boolean masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int at = 2;
        long length;
        if (len7 == 126) {
            length = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            at = 4;
            if (length < 126) {
                throw WebSocketViolation.protocol("a frame's length " + length + " was not in its shortest form (RFC 6455 section 5.2)");
            }
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (head[i] & 0xFF);
            }
            at = 10;
            if (length < 0) {
                throw WebSocketViolation.protocol("a frame's 64-bit length had its most significant bit set (RFC 6455 section 5.2)");
            }
            if (length <= 0xFFFF) {
                throw WebSocketViolation.protocol("a frame's length " + length + " was not in its shortest form (RFC 6455 section 5.2)");
            }
        } else {
            length = len7;
        }
        int maskKey = 0;
        if (masked) {
            maskKey = ((head[at] & 0xFF) << 24) | ((head[at + 1] & 0xFF) << 16) | ((head[at + 2] & 0xFF) << 8) | (head[at + 3] & 0xFF);
        }
        if ((b0 & 0x30) != 0) {
            throw WebSocketViolation.protocol("a frame had RSV" + ((b0 & 0x20) != 0 ? "2" : "3")
                    + " set, which no extension in use defines (RFC 6455 section 5.2)");
        }
        if (isReserved(opcode)) {
            throw WebSocketViolation.protocol("a frame had the reserved opcode 0x" + Integer.toHexString(opcode).toUpperCase()
                    + " (RFC 6455 section 5.2)");
        }
        boolean control = (opcode & 0x8) != 0;
        if (control && !fin) {
            throw WebSocketViolation.protocol("a control frame was fragmented (RFC 6455 section 5.5)");
        }
        if (control && length > 125) {
            throw WebSocketViolation.protocol("a control frame's payload was " + length + " bytes, over 125 (RFC 6455 section 5.5)");
        }
        if (rsv1 && !rsv1Allowed) {
            throw WebSocketViolation.protocol("a frame had RSV1 set, but no extension that uses it was agreed (RFC 6455 section 5.2)");
        }
        if (rsv1 && (control || opcode == FrameHeader.CONTINUATION)) {
            throw WebSocketViolation.protocol("RSV1 was set on a " + (control ? "control" : "continuation")
                    + " frame (RFC 7692 section 6)");
        }
        if (fromClient && !masked) {
            throw WebSocketViolation.protocol("the client sent an unmasked frame (RFC 6455 section 5.1)");
        }
        if (!fromClient && masked) {
            throw WebSocketViolation.protocol("the server sent a masked frame (RFC 6455 section 5.1)");
        }
        byte[] wire = java.util.Arrays.copyOf(head, headLength);
        return new FrameHeader(fin, rsv1, opcode, masked, maskKey, length, wire);
    }

    private static boolean isReserved(int opcode) {
        return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
    }
}
