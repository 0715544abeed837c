package dev.wiretap.proxy.websocket;

/**
 * Checks that bytes fed to it piece by piece are well-formed UTF-8 (RFC 3629 section 4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), as a text message's payload must be (RFC 6455 section 8.1). A sequence may be
 * split between pieces; {@link #isComplete()} says whether the bytes so far end between characters. Not thread-safe.
 */
final class Utf8Validator {

    private int needed;
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Feeds one byte; returns false if the bytes so far can no longer be UTF-8. */
    boolean accept(int b) {
        b &= 0xFF;
        if (needed == 0) {
            if (b < 0x80) {
                return true;
            }
            if (b >= 0xC2 && b <= 0xDF) {
                needed = 1;
            } else if (b >= 0xE0 && b <= 0xEF) {
                needed = 2;
                lower = b == 0xE0 ? 0xA0 : 0x80; // no overlong three-byte forms
                upper = b == 0xED ? 0x9F : 0xBF; // no surrogates
            } else if (b >= 0xF0 && b <= 0xF4) {
                needed = 3;
                lower = b == 0xF0 ? 0x90 : 0x80; // no overlong four-byte forms
                upper = b == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
            } else {
                return false;
            }
            return true;
        }
        if (b < lower || b > upper) {
            return false;
        }
        lower = 0x80;
        upper = 0xBF;
        needed--;
        return true;
    }

    /** Feeds {@code len} bytes of {@code b} from {@code off}; returns false at the first that cannot be UTF-8. */
    boolean accept(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (needed == 0) {
                while (i < end && b[i] >= 0) { // ASCII runs, the common case, at one comparison a byte
                    i++;
                }
                if (i == end) {
                    return true;
                }
            }
            if (!accept(b[i++])) {
                return false;
            }
        }
        return true;
    }

    /** Whether the bytes so far end between characters (no sequence left open). */
    boolean isComplete() {
        return needed == 0;
    }

    void reset() {
        needed = 0;
        lower = 0x80;
        upper = 0xBF;
    }
}
