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
