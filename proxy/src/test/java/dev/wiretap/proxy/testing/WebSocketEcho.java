package dev.wiretap.proxy.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A WebSocket echo server for {@link TestOrigin} (RFC 6455, no extensions): answers the opening handshake with its
 * Sec-WebSocket-Accept, then sends every data frame back as it came (same opcode and FIN, so a fragmented message comes
 * back fragmented), answers a ping with a pong and a close with a close, and ends. Frames are read one at a time from
 * the socket, so the test sees what wiretap passed on, byte for byte.
 */
public final class WebSocketEcho implements TestOrigin.Handler {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** The Sec-WebSocket-Accept for a key (RFC 6455 section 4.2.2). */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key.strip() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void handle(TestOrigin.Conn conn) throws IOException {
        String head = conn.readHead();
        if (head == null) {
            return;
        }
        conn.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + accept(Heads.value(head, "Sec-WebSocket-Key")) + "\r\n\r\n");
        DataInputStream in = new DataInputStream(new BufferedInputStream(conn.in(), 64 * 1024));
        OutputStream out = new BufferedOutputStream(conn.out(), 64 * 1024);
        try {
            while (true) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                long length = b1 & 0x7F;
                if (length == 126) {
                    length = in.readUnsignedShort();
                } else if (length == 127) {
                    length = in.readLong();
                }
                byte[] mask = new byte[4];
                if ((b1 & 0x80) != 0) {
                    in.readFully(mask);
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
                int opcode = b0 & 0x0F;
                if (opcode == 0x9) {
                    writeFrame(out, 0x80 | 0xA, payload);
                } else if (opcode == 0x8) {
                    writeFrame(out, 0x80 | 0x8, payload);
                    out.flush();
                    return;
                } else if (opcode != 0xA) {
                    writeFrame(out, b0, payload);
                }
                if (in.available() == 0) {
                    out.flush();
                }
            }
        } catch (EOFException e) {
            // The client went away without a close: the echo ends with it.
        } finally {
            out.flush();
        }
    }

    /** Writes an unmasked frame (a server's) with the first byte {@code b0}. */
    public static void writeFrame(OutputStream out, int b0, byte[] payload) throws IOException {
        out.write(b0);
        int n = payload.length;
        if (n < 126) {
            out.write(n);
        } else if (n <= 0xFFFF) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        out.write(payload);
    }
}
