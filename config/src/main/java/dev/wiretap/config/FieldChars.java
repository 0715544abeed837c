package dev.wiretap.config;

/**
 * Character classes of RFC 9110 section 5.6.2 (tokens) and 5.5 (field values), as lookup tables: the one copy of
 * HTTP's field rules. The proxy's codec parses and checks messages with it, and the config loader checks the fields
 * rules add or answer with, so that what a rule may send is exactly what a peer may send (a value the loader let
 * through would otherwise fail on every exchange the rule matches). It lives here because {@code config} may not
 * depend on the proxy. Stateless.
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

    /** True for a field name: a token, one or more tchars. */
    public static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTchar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The index of the first character of {@code value} a field value may not hold (a control, DEL, or a character
     * above U+00FF, which has no byte of its own on the wire), or -1 if there is none.
     */
    public static int firstInvalidValueChar(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!isFieldValueChar(value.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
