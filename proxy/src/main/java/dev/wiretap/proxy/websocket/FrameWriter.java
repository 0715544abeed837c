package dev.wiretap.proxy.websocket;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Makes the frames wiretap itself sends on a WebSocket: a Close when a peer broke the protocol, and a message an addon
 * changed. A frame towards the server is masked with a fresh key from a strong source, as a client's must be (RFC 6455
 * section 5.3); one towards the client is not (section 5.1). Thread-safe (SecureRandom is).
 */
final class FrameWriter {

    private static final SecureRandom KEYS = new SecureRandom();

    private FrameWriter() {
    }

    /** One whole frame ({@code FIN} set, no RSV bits) with {@code payload}, masked when it goes to the server. */
    public static byte[] frame(int opcode, byte[] payload, boolean toServer) {
        int len = payload.length;
        int lengthBytes = len < 126 ? 0 : len <= 0xFFFF ? 2 : 8;
        int head = 2 + lengthBytes + (toServer ? 4 : 0);
        byte[] frame = new byte[head + len];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) ((toServer ? 0x80 : 0) | (len < 126 ? len : len <= 0xFFFF ? 126 : 127));
        for (int i = 0; i < lengthBytes; i++) {
            frame[2 + i] = (byte) ((long) len >>> (8 * (lengthBytes - 1 - i)));
        }
        if (toServer) {
            byte[] key = new byte[4];
            KEYS.nextBytes(key);
            System.arraycopy(key, 0, frame, 2 + lengthBytes, 4);
            for (int i = 0; i < len; i++) {
                frame[head + i] = (byte) (payload[i] ^ key[i & 3]);
            }
        } else {
            System.arraycopy(payload, 0, frame, head, len);
        }
        return frame;
    }

    /** A Close frame with {@code code} and {@code reason}, the reason cut to fit the 125 bytes a control frame may carry. */
    public static byte[] close(int code, String reason, boolean toServer) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, 123);
        while (n > 0 && n < text.length && (text[n] & 0xC0) == 0x80) {
            n--; // never cut a character in two: the reason must stay UTF-8
        }
        byte[] payload = new byte[2 + n];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, n);
        return frame(FrameHeader.CLOSE, payload, toServer);
    }
}
