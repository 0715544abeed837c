package dev.wiretap.proxy.websocket;

/**
 * The header of one WebSocket frame (RFC 6455 section 5.2) as it was read, with its bytes as they flowed (for a frame
 * passed on whole). Immutable.
 *
 * @param fin     whether this is the last frame of its message
 * @param rsv1    RSV1: for permessage-deflate, set on the first frame of a compressed message (RFC 7692 section 6)
 * @param opcode  the frame's opcode
 * @param masked  whether the payload is masked (every frame a client sends, and none a server sends)
 * @param maskKey the masking key, when masked
 * @param length  the payload's length
 * @param wire    the header's bytes (2 to 14)
 */
record FrameHeader(boolean fin, boolean rsv1, int opcode, boolean masked, int maskKey, long length, byte[] wire) {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** Control frames have opcodes with the high bit set (section 5.5). */
    public boolean isControl() {
        return (opcode & 0x8) != 0;
    }
}
