package dev.wiretap.proxy.http1;

import java.nio.charset.StandardCharsets;

/** Method names: the common ones as shared constants, so that parsing them allocates nothing. */
final class Methods {

    private static final String[] COMMON = {"GET", "PUT", "POST", "HEAD", "PATCH", "TRACE", "DELETE", "CONNECT", "OPTIONS"};

    private Methods() {
    }

    /** The method in {@code b[start, end)}; case is kept (methods are case-sensitive, RFC 9110 section 9.1). */
    static String of(byte[] b, int start, int end) {
        int length = end - start;
        for (String m : COMMON) {
            if (m.length() == length && matches(m, b, start)) {
                return m;
            }
        }
        return new String(b, start, length, StandardCharsets.US_ASCII);
    }

    private static boolean matches(String m, byte[] b, int start) {
        for (int i = 0; i < m.length(); i++) {
            if (b[start + i] != m.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
