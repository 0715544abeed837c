package dev.wiretap.proxy.http2;

/**
 * One HTTP/2 frame as read from the wire (RFC 9113 section 4.1): its type, flags, stream and payload (padding still in
 * it). Frame types and flags are named here; unknown types are kept so that the reader can ignore them (section 4.1).
 */
record Frame(int type, int flags, int streamId, byte[] payload) {

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int PRIORITY = 0x2;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PUSH_PROMISE = 0x5;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int FLAG_END_STREAM = 0x1;
    static final int FLAG_ACK = 0x1;
    static final int FLAG_END_HEADERS = 0x4;
    static final int FLAG_PADDED = 0x8;
    static final int FLAG_PRIORITY = 0x20;

    /** The bytes every client sends first (RFC 9113 section 3.4). */
    static final byte[] CLIENT_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    static final int SETTINGS_ENABLE_PUSH = 0x2;
    static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
    static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

    /** The frame size every peer must accept (RFC 9113 section 4.2), and the initial window (section 6.9.2). */
    static final int DEFAULT_MAX_FRAME = 16_384;
    static final int DEFAULT_WINDOW = 65_535;

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    int length() {
        return payload.length;
    }

    static String typeName(int type) {
        return switch (type) {
            case DATA -> "DATA";
            case HEADERS -> "HEADERS";
            case PRIORITY -> "PRIORITY";
            case RST_STREAM -> "RST_STREAM";
            case SETTINGS -> "SETTINGS";
            case PUSH_PROMISE -> "PUSH_PROMISE";
            case PING -> "PING";
            case GOAWAY -> "GOAWAY";
            case WINDOW_UPDATE -> "WINDOW_UPDATE";
            case CONTINUATION -> "CONTINUATION";
            default -> "type 0x" + Integer.toHexString(type);
        };
    }

    @Override
    public String toString() {
        return typeName(type) + " stream " + streamId + " flags 0x" + Integer.toHexString(flags) + " " + payload.length + " B";
    }
}
