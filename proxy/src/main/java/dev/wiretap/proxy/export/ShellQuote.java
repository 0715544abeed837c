package dev.wiretap.proxy.export;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes quoted as one word for a POSIX shell, reading back as exactly those bytes: plain words as they are, text in
 * single quotes, and anything holding control characters or bytes that are not UTF-8 in bash's {@code $'...'}
 * (which zsh, ksh and POSIX.1-2024 sh read too) with {@code \xHH} escapes; so that printing the word on a terminal
 * shows no raw control character either. Stateless.
 */
final class ShellQuote {

    private ShellQuote() {
    }

    static String quote(String ascii) {
        return quote(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String quote(byte[] bytes) {
        if (bytes.length > 0 && isPlainWord(bytes)) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        String utf8 = utf8WithoutControls(bytes);
        if (utf8 != null) {
            return "'" + utf8.replace("'", "'\\''") + "'";
        }
        StringBuilder sb = new StringBuilder(bytes.length + 16).append("$'");
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            int n = b >= 0x80 ? utf8Length(bytes, i) : 0;
            if (n > 0) {
                sb.append(new String(bytes, i, n, StandardCharsets.UTF_8)); // a whole, printable UTF-8 character
                i += n;
                continue;
            }
            switch (b) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (b >= 0x20 && b < 0x7F) {
                        sb.append((char) b);
                    } else {
                        // Always two hex digits: bash would read a following hex digit into a shorter escape.
                        sb.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
                    }
                }
            }
            i++;
        }
        return sb.append('\'').toString();
    }

    /**
     * {@code bytes} as a {@code printf} format that prints exactly them (octal escapes, POSIX printf), quoted for
     * the shell: for bodies no argument can carry (a NUL byte, or more than the kernel allows in one argument).
     */
    static String printfFormat(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2 + 2).append('\'');
        for (byte value : bytes) {
            int b = value & 0xFF;
            if (b == '%') {
                sb.append("%%");
            } else if (b == '\\') {
                sb.append("\\\\");
            } else if (b == '\'') {
                sb.append("'\\''");
            } else if (b >= 0x20 && b < 0x7F) {
                sb.append((char) b);
            } else {
                sb.append('\\').append((char) ('0' + (b >> 6))).append((char) ('0' + ((b >> 3) & 7))).append((char) ('0' + (b & 7)));
            }
        }
        return sb.append('\'').toString();
    }

    private static boolean isPlainWord(byte[] bytes) {
        for (byte b : bytes) {
            boolean ok = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '-' || b == '_' || b == '.' || b == '/' || b == ':' || b == ',' || b == '+' || b == '@' || b == '%' || b == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The bytes as text when they are valid UTF-8 with no control characters (nor C1 controls), else null. */
    private static String utf8WithoutControls(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c < 0xA0) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                return null;
            }
        }
        return text;
    }

    /** The length of the printable UTF-8 character starting at {@code i}, or 0 if there is none. */
    private static int utf8Length(byte[] bytes, int i) {
        int b = bytes[i] & 0xFF;
        int n = b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
        if (n == 0 || i + n > bytes.length) {
            return 0;
        }
        String s = utf8WithoutControls(java.util.Arrays.copyOfRange(bytes, i, i + n));
        return s == null || s.codePointCount(0, s.length()) != 1 ? 0 : n;
    }
}
