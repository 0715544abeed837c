package dev.wiretap.proxy.http2;

import dev.wiretap.proxy.flow.Headers;
import java.util.Locale;

/**
 * Translating fields between HTTP/1.1 and HTTP/2 as RFC 9113 section 8 says: pseudo-header fields made from the request
 * line or status (section 8.3), connection-specific fields left out (Connection and what it names, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade, and TE unless it is {@code trailers}: section 8.2.2), Host carried as
 * {@code :authority} (section 8.3.1), and cookies split into crumbs joined again for HTTP/1.1 (section 8.2.3).
 */
public final class Http2Fields {

    private Http2Fields() {
    }

    /**
     * A request head for an HTTP/2 origin: {@code :method}, {@code :scheme}, {@code :authority}, {@code :path}, then the
     * request's fields that may cross (Host, pseudo-header and connection-specific fields and Proxy-Authorization left
     * out), then this hop's Via (null: none).
     */
    public static Headers requestHead(String method, String scheme, String authority, String path, Headers fields, String via) {
        FieldLines lines = new FieldLines();
        lines.add(":method", method);
        if (!method.equals("CONNECT")) {
            lines.add(":scheme", scheme);
        }
        lines.add(":authority", authority);
        if (!method.equals("CONNECT")) {
            lines.add(":path", path);
        }
        addCrossing(lines, fields, true);
        if (via != null) {
            lines.add("via", via);
        }
        return lines.toHeaders();
    }

    /**
     * A response head for an HTTP/2 client: {@code :status}, then the response's fields that may cross, a Content-Length
     * only when {@code length} is not negative (the body's length, known), then this hop's Via (null: none).
     */
    public static Headers responseHead(int status, Headers fields, long length, String via) {
        FieldLines lines = new FieldLines();
        lines.add(":status", Integer.toString(status));
        addCrossing(lines, fields, false);
        if (length >= 0 && status != 304 && status != 204) {
            lines.add("content-length", Long.toString(length));
        }
        if (via != null) {
            lines.add("via", via);
        }
        return lines.toHeaders();
    }

    /** Trailers for an HTTP/2 peer: the fields that may cross, lower case. */
    public static Headers trailers(Headers fields) {
        FieldLines lines = new FieldLines();
        for (int i = 0; i < fields.size(); i++) {
            if (!fields.isPseudo(i) && !isConnectionSpecific(fields, i, true)) {
                lines.add(fields.name(i).toLowerCase(Locale.ROOT), fields.value(i));
            }
        }
        return lines.toHeaders();
    }

    /**
     * The fields of a message that came over HTTP/2, for HTTP/1.1: pseudo-header fields left out and cookie crumbs
     * joined into one Cookie field with {@code "; "} where the first one stood (RFC 9113 section 8.2.3).
     */
    public static Headers forHttp1(Headers fields) {
        Headers out = new Headers();
        String cookie = null;
        int cookieAt = -1;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.isPseudo(i)) {
                continue;
            }
            if (fields.nameIs(i, "cookie")) {
                if (cookie == null) {
                    cookieAt = out.size();
                    cookie = fields.value(i);
                    out.add("cookie", cookie);
                } else {
                    cookie = cookie + "; " + fields.value(i);
                }
                continue;
            }
            out.add(fields.name(i), fields.value(i));
        }
        if (cookie != null && out.size() > cookieAt) {
            out.set("cookie", cookie);
        }
        return out;
    }

    /** The value of pseudo-header field {@code name} ({@code ":path"}...), or null. */
    public static String pseudo(Headers fields, String name) {
        for (int i = 0; i < fields.size() && fields.isPseudo(i); i++) {
            if (fields.nameIs(i, name)) {
                return fields.value(i);
            }
        }
        return null;
    }

    private static void addCrossing(FieldLines lines, Headers fields, boolean request) {
        boolean named = fields.contains("connection");
        for (int i = 0; i < fields.size(); i++) {
            if (fields.isPseudo(i) || isConnectionSpecific(fields, i, named) || fields.nameIs(i, "content-length")
                    || (request && (fields.nameIs(i, "host") || fields.nameIs(i, "proxy-authorization")
                        || fields.nameIs(i, "expect")))) {
                continue;
            }
            lines.add(fields.name(i).toLowerCase(Locale.ROOT), fields.value(i));
        }
        if (request) {
            int length = fields.indexOf("content-length", 0);
            if (length >= 0) {
                lines.add("content-length", fields.value(length));
            }
        }
    }

    /** RFC 9113 section 8.2.2, and the fields Connection names. */
    static boolean isConnectionSpecific(Headers h, int i, boolean connectionNamesFields) {
        if (h.nameIs(i, "te")) {
            return !h.valueIs(i, "trailers");
        }
        if (h.nameIs(i, "connection") || h.nameIs(i, "keep-alive") || h.nameIs(i, "proxy-connection")
                || h.nameIs(i, "transfer-encoding") || h.nameIs(i, "upgrade")) {
            return true;
        }
        if (!connectionNamesFields) {
            return false;
        }
        String name = h.name(i);
        for (String value : h.all("connection")) {
            for (String option : value.split(",")) {
                if (option.strip().equalsIgnoreCase(name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
