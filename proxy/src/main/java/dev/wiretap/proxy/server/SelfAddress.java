package dev.wiretap.proxy.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Locale;

/**
 * Knows wiretap's own listening address, so that a request naming it (which would otherwise be forwarded back to
 * wiretap, in a loop) is recognised: by name ({@code wiretap}, {@code localhost} or a literal address) before any
 * lookup, and by resolved address when the dialer is about to connect. Thread-safe once the port is set.
 */
public final class SelfAddress {

    /** The magic host name: {@code http://wiretap/} through the proxy is always wiretap's own page. */
    public static final String MAGIC_HOST = "wiretap";

    private final InetAddress bound;
    private volatile int port;

    public SelfAddress(InetAddress bound) {
        this.bound = bound;
    }

    void setPort(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    /** True when {@code host:port}, as written in a request, is certainly wiretap (no DNS lookup is done). */
    public boolean isSelf(String host, int targetPort) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals(MAGIC_HOST)) {
            return true;
        }
        if (targetPort != port) {
            return false;
        }
        if (h.equals("localhost")) {
            return isLocal(InetAddress.getLoopbackAddress());
        }
        if (!isLiteral(h)) {
            return false;
        }
        try {
            return isLocal(InetAddress.getByName(h));
        } catch (java.net.UnknownHostException e) {
            return false; // a literal never fails to parse; if it did, it is not ours
        }
    }

    /** True when connecting to {@code address} would reach wiretap's own listener. */
    public boolean isSelf(InetSocketAddress address) {
        return address.getPort() == port && address.getAddress() != null && isLocal(address.getAddress());
    }

    private boolean isLocal(InetAddress address) {
        if (bound.isAnyLocalAddress()) {
            if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
                return true;
            }
            try {
                return NetworkInterface.getByInetAddress(address) != null;
            } catch (SocketException e) {
                return false;
            }
        }
        return address.equals(bound) || (bound.isLoopbackAddress() && address.isAnyLocalAddress());
    }

    private static boolean isLiteral(String h) {
        return h.indexOf(':') >= 0 || h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }
}
