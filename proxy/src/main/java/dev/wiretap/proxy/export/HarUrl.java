package dev.wiretap.proxy.export;

import dev.wiretap.proxy.flow.Destination;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * A HAR request's URL read as where the request went ({@link Destination}): http and https, and WebSocket handshakes
 * ({@code ws:}, {@code wss:}) as the http and https requests they are. The fragment, which no request carries, is
 * dropped; user name and password, which a browser sends in a field instead, are dropped with a note; characters a
 * request line cannot hold (spaces, non-ASCII) are percent-encoded as a browser sends them; an international host
 * name is given in its ASCII form. Any other URL ({@code data:}, {@code blob:}, {@code chrome-extension:}) was no
 * exchange over the network and is refused. Stateless.
 */
final class HarUrl {

    private HarUrl() {
    }

    /**
     * Where a request for {@code url} goes.
     *
     * @throws IllegalArgumentException when it is not an http, https, ws or wss URL that wiretap can read, saying why
     */
    static Destination destination(String url, Set<String> notes) {
        String u = url.strip();
        int colon = u.indexOf(':');
        String scheme = colon > 0 ? u.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        if (!u.startsWith("//", colon + 1)) {
            throw new IllegalArgumentException(scheme.isEmpty() ? "its URL '" + HarJson.abbreviated(u) + "' is not absolute"
                    : "its URL is a " + HarJson.abbreviated(scheme) + ": URL, which is no exchange over the network");
        }
        String httpScheme = switch (scheme) {
            case "http", "ws" -> "http";
            case "https", "wss" -> "https";
            default -> throw new IllegalArgumentException("its URL is a " + HarJson.abbreviated(scheme)
                    + ": URL, which wiretap does not read (http, https, ws and wss)");
        };
        if (!scheme.equals(httpScheme)) {
            notes.add("a WebSocket handshake (" + scheme + "://), shown as the " + httpScheme + " request it is");
        }
        String rest = u.substring(colon + 3);
        int end = 0;
        while (end < rest.length() && "/?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String authority = rest.substring(0, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
            notes.add("the user name and password in the HAR's URL are left out");
        }
        String host;
        String port = "";
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("its URL's host '" + HarJson.abbreviated(authority) + "' lacks its ']'");
            }
            host = authority.substring(1, close);
            if (authority.startsWith(":", close + 1)) {
                port = authority.substring(close + 2);
            }
        } else {
            int c = authority.lastIndexOf(':');
            host = c < 0 ? authority : authority.substring(0, c);
            port = c < 0 ? "" : authority.substring(c + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("its URL has no host");
        }
        int portNumber = port.isEmpty() ? Destination.defaultPort(httpScheme) : port(port);
        String pathAndQuery = rest.substring(end);
        int hash = pathAndQuery.indexOf('#');
        if (hash >= 0) {
            pathAndQuery = pathAndQuery.substring(0, hash);
        }
        if (!pathAndQuery.startsWith("/")) {
            pathAndQuery = "/" + pathAndQuery;
        }
        try {
            return new Destination(httpScheme, asciiHost(host), portNumber, percentEncoded(pathAndQuery));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its URL's host '" + HarJson.abbreviated(host) + "' is not one a request can name");
        }
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("its URL's port '" + HarJson.abbreviated(text) + "' is not a port");
    }

    private static String asciiHost(String host) {
        if (host.indexOf(':') >= 0) {
            return host; // an IPv6 literal
        }
        try {
            return IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("its URL's host '" + HarJson.abbreviated(host) + "' is not a host name");
        }
    }

    /** {@code s} with every byte a request line cannot hold (space, controls, non-ASCII in UTF-8) as {@code %XX}. */
    private static String percentEncoded(String s) {
        boolean plain = true;
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = c > 0x20 && c < 0x7F;
        }
        if (plain) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c > 0x20 && c < 0x7F) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return sb.toString();
    }
}
