package dev.wiretap.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Another HTTP proxy that wiretap forwards everything through ({@code --upstream-proxy http://host:port}).
 * Plain-HTTP requests go to it in absolute form; CONNECT tunnels are opened through it with CONNECT.
 */
public record UpstreamProxy(HostPort address) {

    public UpstreamProxy {
        if (address == null) {
            throw new IllegalArgumentException("upstream proxy address is missing");
        }
    }

    /** Parses {@code http://host:port} (the port defaults to 8080, as for most proxies, when absent). */
    public static UpstreamProxy parse(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("upstream proxy must be an http:// URL, got '" + text + "'");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("upstream proxy URL '" + text + "' has no host");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("credentials in the upstream proxy URL are not supported yet");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("upstream proxy URL '" + text + "' must not have a path, query or fragment");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? 8080 : uri.getPort();
        if (port == 0) {
            throw new IllegalArgumentException("upstream proxy URL '" + text + "' has port 0, which no proxy listens on");
        }
        return new UpstreamProxy(new HostPort(host, port));
    }

    @Override
    public String toString() {
        return "http://" + address;
    }
}
