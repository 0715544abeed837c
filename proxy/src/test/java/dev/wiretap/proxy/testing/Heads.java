package dev.wiretap.proxy.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading fields out of a raw head (as text) in tests, independently of wiretap's own parser. */
public final class Heads {

    private Heads() {
    }

    /** The values of every field named {@code name} (case-insensitive), in order. */
    public static List<String> values(String head, String name) {
        List<String> values = new ArrayList<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).equalsIgnoreCase(name)) {
                values.add(lines[i].substring(colon + 1).strip());
            }
        }
        return values;
    }

    /** The first value of {@code name}, or null. */
    public static String value(String head, String name) {
        List<String> v = values(head, name);
        return v.isEmpty() ? null : v.get(0);
    }

    /** The start line (request line or status line). */
    public static String startLine(String head) {
        int end = head.indexOf("\r\n");
        return end < 0 ? head : head.substring(0, end);
    }

    public static long contentLength(String head) {
        String v = value(head, "Content-Length");
        return v == null ? -1 : Long.parseLong(v.strip());
    }

    public static boolean isChunked(String head) {
        String v = value(head, "Transfer-Encoding");
        return v != null && v.toLowerCase(Locale.ROOT).contains("chunked");
    }
}
