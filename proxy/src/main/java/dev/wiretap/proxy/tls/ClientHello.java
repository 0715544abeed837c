package dev.wiretap.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the host name a TLS client asks for (its server_name extension, RFC 6066 section 3) and the protocols it offers
 * (ALPN) from the bytes of its ClientHello as they arrived, before any handshake runs: so that wiretap can tell a host to
 * pass through untouched by its name, and start its own handshake with the origin, for the same name, while it answers
 * the client. Only what is at hand is read, never more from the network; {@link #length} says how many bytes the whole
 * ClientHello takes, so that the caller can read that far first. A ClientHello split over several records (RFC 8446
 * section 5.1 allows it) is joined again. Stateless.
 */
public final class ClientHello {

    private static final int HANDSHAKE_RECORD = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int HOST_NAME = 0;
    private static final int ALPN = 16;
    /** A ClientHello longer than this is not read: real ones take a few kilobytes (post-quantum key shares included). */
    public static final int MAX_BYTES = 64 * 1024;

    private ClientHello() {
    }

    /**
     * How many bytes, from the start of {@code bytes}, hold the whole ClientHello (to the end of the record that ends it);
     * -1 when more bytes are needed to tell; 0 when they are no ClientHello (or one longer than {@link #MAX_BYTES}).
     */
    public static int length(byte[] bytes) {
        return walk(bytes, null);
    }

    /**
     * The host name the ClientHello at the start of {@code bytes} asks for; {@code otherwise} when it asks for none;
     * empty when {@code bytes} do not hold the ClientHello up to its end (or are no ClientHello).
     */
    public static Optional<String> serverName(byte[] bytes, String otherwise) {
        Cursor c = hello(bytes);
        if (c == null) {
            return Optional.empty();
        }
        int extensionsEnd = extensions(c);
        if (extensionsEnd < 0) {
            return c.failed ? Optional.empty() : Optional.of(otherwise); // no extensions at all (an old client)
        }
        while (!c.failed && c.at < extensionsEnd) {
            int type = c.u16();
            int length = c.u16();
            if (type != SERVER_NAME) {
                c.skip(length);
                continue;
            }
            int listEnd = c.at + 2 + c.u16();
            while (!c.failed && c.at < listEnd) {
                int nameType = c.u8();
                byte[] name = c.bytes(c.u16());
                if (nameType == HOST_NAME && !c.failed) {
                    return Optional.of(new String(name, StandardCharsets.US_ASCII));
                }
            }
        }
        return c.failed || c.at != extensionsEnd ? Optional.empty() : Optional.of(otherwise);
    }

    /**
     * Whether {@code bytes} begin with a whole ClientHello: its record, and the handshake message within it, end at
     * hand. Only then does what the hello does not say (no ALPN, no name) mean the client did not say it.
     */
    public static boolean isWhole(byte[] bytes) {
        Cursor c = new Cursor(bytes);
        if (c.u8() != HANDSHAKE_RECORD) {
            return false;
        }
        c.skip(2);
        int recordEnd = c.at + 2 + c.u16();
        if (c.failed || recordEnd > bytes.length) {
            return false;
        }
        c.end = recordEnd;
        if (c.u8() != CLIENT_HELLO) {
            return false;
        }
        int helloEnd = c.at + 3 + c.u24();
        return !c.failed && helloEnd <= recordEnd;
    }

    /**
     * Whether the ClientHello at the start of {@code bytes} offers {@code protocol} in its ALPN extension (RFC 7301
     * section 3.1); false when it offers none, or {@code bytes} hold no whole ClientHello.
     */
    public static boolean offersProtocol(byte[] bytes, String protocol) {
        Cursor c = hello(bytes);
        if (c == null) {
            return false;
        }
        int extensionsEnd = extensions(c);
        if (extensionsEnd < 0) {
            return false;
        }
        byte[] wanted = protocol.getBytes(StandardCharsets.US_ASCII);
        while (!c.failed && c.at < extensionsEnd) {
            int type = c.u16();
            int length = c.u16();
            if (type != ALPN) {
                c.skip(length);
                continue;
            }
            int listEnd = c.at + 2 + c.u16();
            while (!c.failed && c.at < listEnd) {
                if (java.util.Arrays.equals(c.bytes(c.u8()), wanted)) {
                    return !c.failed;
                }
            }
            return false;
        }
        return false;
    }

    /** A cursor over the whole ClientHello message (its records joined), at its body; null when it is not all there. */
    private static Cursor hello(byte[] bytes) {
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        if (walk(bytes, message) <= 0) {
            return null;
        }
        Cursor c = new Cursor(message.toByteArray());
        c.skip(4); // msg_type (ClientHello, checked by walk) and length
        return c;
    }

    /**
     * Walks the handshake records at the start of {@code bytes} until they hold the ClientHello (RFC 8446 section 5.1:
     * a handshake message may span records, each with its own header), copying their payload to {@code message} if it
     * is not null. Returns the bytes taken, -1 if more are needed, 0 if they are no ClientHello.
     */
    private static int walk(byte[] bytes, java.io.ByteArrayOutputStream message) {
        int at = 0;
        int payload = 0;
        byte[] head = new byte[4];
        while (true) {
            if (bytes.length - at < 5) {
                return -1;
            }
            if ((bytes[at] & 0xFF) != HANDSHAKE_RECORD) {
                return 0;
            }
            int length = (bytes[at + 3] & 0xFF) << 8 | (bytes[at + 4] & 0xFF);
            if (at + 5 + length > MAX_BYTES) {
                return 0;
            }
            if (bytes.length - at - 5 < length) {
                return -1;
            }
            for (int i = 0; i < length && payload + i < 4; i++) {
                head[payload + i] = bytes[at + 5 + i];
            }
            if (message != null) {
                message.write(bytes, at + 5, length);
            }
            payload += length;
            at += 5 + length;
            if (payload >= 4) {
                if ((head[0] & 0xFF) != CLIENT_HELLO) {
                    return 0;
                }
                int helloLength = (head[1] & 0xFF) << 16 | (head[2] & 0xFF) << 8 | (head[3] & 0xFF);
                if (4L + helloLength > MAX_BYTES) {
                    return 0;
                }
                if (payload >= 4 + helloLength) {
                    return at;
                }
            }
        }
    }

    /**
     * Skips from the start of a ClientHello's body to its extensions; returns where they end, or -1 when it has none
     * (or is cut short: then {@code c.failed}).
     */
    private static int extensions(Cursor c) {
        int helloEnd = 4 + ((c.bytes[1] & 0xFF) << 16 | (c.bytes[2] & 0xFF) << 8 | (c.bytes[3] & 0xFF));
        c.end = Math.min(c.end, helloEnd);
        c.skip(2 + 32); // legacy_version, random
        c.skip(c.u8()); // legacy_session_id
        c.skip(c.u16()); // cipher_suites
        c.skip(c.u8()); // legacy_compression_methods
        if (c.failed || c.at == helloEnd) {
            return -1;
        }
        return c.at + 2 + c.u16();
    }

    /** Reads big-endian numbers up to {@code end}; reading past it sets {@code failed} and yields zeros. */
    private static final class Cursor {
        private final byte[] bytes;
        int at;
        int end;
        boolean failed;

        Cursor(byte[] bytes) {
            this.bytes = bytes;
            this.end = bytes.length;
        }

        int u8() {
            if (at >= end) {
                failed = true;
                return 0;
            }
            return bytes[at++] & 0xFF;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        int u24() {
            return u8() << 16 | u16();
        }

        void skip(int n) {
            if (end - at < n) {
                failed = true;
                at = end;
            } else {
                at += n;
            }
        }

        byte[] bytes(int n) {
            if (end - at < n) {
                failed = true;
                at = end;
                return new byte[0];
            }
            byte[] b = java.util.Arrays.copyOfRange(bytes, at, at + n);
            at += n;
            return b;
        }
    }
}
