package dev.wiretap.proxy.tls;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads the host name a TLS client asks for (its server_name extension, RFC 6066 section 3) from the bytes of its
 * ClientHello as they arrived, before any handshake runs: so that wiretap can start its own handshake with the origin,
 * for the same name, while it answers the client. Only what is at hand is read, never more from the network: a
 * ClientHello spread over several records or reads is not understood here, and the name is then learnt from the
 * handshake itself. Stateless.
 */
public final class ClientHello {

    private static final int HANDSHAKE_RECORD = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int HOST_NAME = 0;
    private static final int ALPN = 16;

    private ClientHello() {
    }

    /**
     * The host name the ClientHello at the start of {@code bytes} asks for; {@code otherwise} when it asks for none;
     * empty when {@code bytes} do not hold the ClientHello up to its end (or are no ClientHello).
     */
    public static Optional<String> serverName(byte[] bytes, String otherwise) {
        Cursor c = new Cursor(bytes);
        // RFC 8446 section 5.1: the record header; then section 4.1.2: the ClientHello, in the first record.
        if (c.u8() != HANDSHAKE_RECORD) {
            return Optional.empty();
        }
        c.skip(2);
        c.end = Math.min(bytes.length, c.at + 2 + c.u16());
        if (c.u8() != CLIENT_HELLO) {
            return Optional.empty();
        }
        int helloEnd = c.at + 3 + c.u24();
        c.skip(2 + 32); // legacy_version, random
        c.skip(c.u8()); // legacy_session_id
        c.skip(c.u16()); // cipher_suites
        c.skip(c.u8()); // legacy_compression_methods
        if (c.failed) {
            return Optional.empty();
        }
        if (c.at == helloEnd) {
            return Optional.of(otherwise); // no extensions at all (an old client)
        }
        int extensionsEnd = c.at + 2 + c.u16();
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
        Cursor c = new Cursor(bytes);
        if (c.u8() != HANDSHAKE_RECORD) {
            return false;
        }
        c.skip(2);
        c.end = Math.min(bytes.length, c.at + 2 + c.u16());
        if (c.u8() != CLIENT_HELLO) {
            return false;
        }
        int helloEnd = c.at + 3 + c.u24();
        c.skip(2 + 32);
        c.skip(c.u8());
        c.skip(c.u16());
        c.skip(c.u8());
        if (c.failed || c.at == helloEnd) {
            return false;
        }
        int extensionsEnd = c.at + 2 + c.u16();
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
