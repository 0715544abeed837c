package dev.wiretap.proxy.flow;

import java.util.Locale;

/**
 * Where a request goes: scheme, host and port of the origin, and the target in origin form (path and query)
 * as it will be sent upstream. Immutable.
 */
public record Destination(String scheme, String host, int port, String pathAndQuery) {

    public Destination {
        scheme = scheme.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range");
        }
        // Both go out on the request line and in Host: whitespace or a control would let a change inject a message.
        checkVisibleAscii("host", host);
        checkVisibleAscii("path", pathAndQuery);
    }

    private static void checkVisibleAscii(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new IllegalArgumentException(what + " holds a space, control or non-ASCII character at " + (i + 1) + ": '" + s + "'");
            }
        }
    }

    public static int defaultPort(String scheme) {
        return "https".equalsIgnoreCase(scheme) ? 443 : 80;
    }

    public boolean isTls() {
        return scheme.equals("https");
    }

    /** {@code host[:port]} as a Host field value: the port is left out when it is the scheme's default. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == defaultPort(scheme) ? h : h + ":" + port;
    }

    /** {@code host:port} always, as in a CONNECT target. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public String url() {
        return scheme + "://" + authority() + pathAndQuery;
    }

    @Override
    public String toString() {
        return url();
    }
}
