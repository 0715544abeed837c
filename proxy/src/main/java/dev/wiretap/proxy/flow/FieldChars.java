package dev.wiretap.proxy.flow;

/**
 * Character classes of RFC 9110 section 5.6.2 (tokens) and 5.5 (field values), as lookup tables. The codec
 * uses the same tables when parsing, so what a rule may add is exactly what a peer may send.
 */
public final class FieldChars {

    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // field-vchar = VCHAR / obs-text, plus SP and HTAB between them
        for (int c = 0x21; c <= 0x7E; c++) {
            FIELD_VALUE[c] = true;
        }
        for (int c = 0x80; c <= 0xFF; c++) {
            FIELD_VALUE[c] = true;
        }
        FIELD_VALUE[' '] = true;
        FIELD_VALUE['\t'] = true;
    }

    private FieldChars() {
    }

    public static boolean isTchar(int c) {
        return c >= 0 && c < 256 && TCHAR[c];
    }

    /** True for bytes allowed inside a field value: VCHAR, obs-text, SP, HTAB. Not CR, LF, NUL or other controls. */
    public static boolean isFieldValueChar(int c) {
        return c >= 0 && c < 256 && FIELD_VALUE[c];
    }
}
