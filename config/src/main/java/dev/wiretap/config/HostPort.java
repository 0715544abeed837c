package dev.wiretap.config;

import java.util.Locale;

/**
 * A host (name, IPv4 or IPv6 literal without brackets) and a TCP port, as given by the user for
 * wiretap's listen address or an upstream proxy. Immutable.
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
    }

    /**
     * Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (loopback). A bare host without a port is
     * refused: a listen address or proxy without a port is almost always a typo.
     */
    public static HostPort parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("expected HOST:PORT, got an empty value");
        }
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("expected [IPv6]:PORT, got '" + text + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "' (no port)");
            }
            if (s.indexOf(':') != colon) {
                throw new IllegalArgumentException("an IPv6 address needs brackets: [" + s.substring(0, colon) + "]:PORT");
            }
            host = colon == 0 ? "127.0.0.1" : s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        return new HostPort(host, parsePort(port, text));
    }

    private static int parsePort(String port, String text) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + port + "' in '" + text + "' is not a port number");
        }
        int value = Integer.parseInt(port);
        if (value > 65535) {
            throw new IllegalArgumentException("port " + value + " in '" + text + "' is above 65535");
        }
        return value;
    }

    /** True for names and literals that can only mean this machine. */
    public boolean isLoopback() {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
