package dev.wiretap.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts that bypass upstream proxies taken from the environment: the {@code no_proxy} list as curl, Go and Python
 * read it. Comma-separated entries (spaces around them ignored), matched without resolving any name:
 * <ul>
 *   <li>{@code *}: every host;</li>
 *   <li>a name ({@code example.com}, {@code .example.com} or {@code *.example.com}): that name and every name under it;</li>
 *   <li>an IP address ({@code 10.1.2.3}, {@code ::1}, {@code [::1]}): that address when a request names it;</li>
 *   <li>a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}): addresses in it when a request names one;</li>
 *   <li>any of these but a range with {@code :PORT} ({@code example.com:8443}, {@code [::1]:8080}): only on that port.</li>
 * </ul>
 * Names ignore case and a trailing dot. Immutable; equal when written alike.
 */
public final class NoProxy {

    public static final NoProxy NONE = new NoProxy("");

    private final String text;
    private final List<Entry> entries;

    /** Parses {@code text}; a malformed entry is an IllegalArgumentException naming it. */
    public NoProxy(String text) {
        this.text = text.strip();
        List<Entry> parsed = new ArrayList<>();
        for (String part : this.text.split(",")) {
            String entry = part.strip();
            if (!entry.isEmpty()) {
                parsed.add(Entry.parse(entry));
            }
        }
        this.entries = List.copyOf(parsed);
    }

    /** True when requests to {@code host:port} go directly rather than through the proxy. */
    public boolean matches(String host, int port) {
        String h = normalize(host);
        for (Entry entry : entries) {
            if (entry.matches(h, port)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoProxy other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The list as written. */
    @Override
    public String toString() {
        return text;
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /**
     * One entry: a name (matched with its subdomains), or an address or range ({@code network}/{@code prefixBits});
     * and a port, or -1 for any.
     */
    private record Entry(String name, byte[] network, int prefixBits, int port) {

        static Entry parse(String entry) {
            if (entry.equals("*")) {
                return new Entry("*", null, 0, -1);
            }
            String host = entry;
            int port = -1;
            int colon = entry.lastIndexOf(':');
            // A colon starts a port where the host is bracketed, or has no other colon (an IPv6 address without
            // brackets has several, and no port).
            boolean bracketed = entry.startsWith("[");
            if (colon > 0 && (bracketed ? entry.lastIndexOf(']') == colon - 1 : entry.indexOf(':') == colon)) {
                port = parsePort(entry.substring(colon + 1), entry);
                host = entry.substring(0, colon);
            }
            host = normalize(host);
            int slash = host.indexOf('/');
            if (slash >= 0) {
                byte[] network = IpAddress.parse(host.substring(0, slash));
                if (network == null) {
                    throw new IllegalArgumentException("no_proxy entry '" + entry + "': a range needs an IP address before the '/'");
                }
                return new Entry("", network, parseBits(host.substring(slash + 1), network.length * 8, entry), port);
            }
            if (host.startsWith("*.")) {
                host = host.substring(1);
            }
            if (host.startsWith(".")) {
                host = host.substring(1);
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("no_proxy entry '" + entry + "' names no host");
            }
            if (host.indexOf('*') >= 0) {
                throw new IllegalArgumentException("no_proxy entry '" + entry + "': '*' goes alone, or as *.domain");
            }
            byte[] address = IpAddress.parse(host);
            return new Entry(host, address, address == null ? 0 : address.length * 8, port);
        }

        boolean matches(String host, int requestPort) {
            if (port >= 0 && port != requestPort) {
                return false;
            }
            if (name.equals("*")) {
                return true;
            }
            if (network != null) {
                byte[] address = IpAddress.parse(host);
                return address != null && IpAddress.inRange(address, network, prefixBits);
            }
            return host.equals(name) || host.endsWith("." + name);
        }

        private static int parsePort(String text, String entry) {
            if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(text) > 65535) {
                throw new IllegalArgumentException("no_proxy entry '" + entry + "' has '" + text + "' where a port goes");
            }
            return Integer.parseInt(text);
        }

        private static int parseBits(String text, int max, String entry) {
            if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(text) > max) {
                throw new IllegalArgumentException("no_proxy entry '" + entry + "': the prefix length must be 0 to " + max);
            }
            return Integer.parseInt(text);
        }
    }
}
