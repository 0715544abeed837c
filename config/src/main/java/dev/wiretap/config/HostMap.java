package dev.wiretap.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Host names that wiretap connects to at an address of the user's choosing instead of the one DNS gives: the
 * {@code hosts:} map of the config file and {@code Wiretap.resolve(host, address)}, as {@code /etc/hosts} would, for
 * wiretap alone. The request keeps its name: its Host field, the TLS name (SNI) and the name the origin's certificate is
 * checked against stay the request's, so that a test reaches a local server under the real name. Immutable.
 *
 * <pre>
 * hosts:
 *   api.example.test: 127.0.0.1          # the request's port
 *   auth.example.test: 127.0.0.1:8443    # every port of that name goes to 8443
 * </pre>
 *
 * @param targets by host name (lower case, no trailing dot), in the order given
 */
public record HostMap(Map<String, Target> targets) {

    public static final HostMap NONE = new HostMap(Map.of());

    /**
     * Where a mapped name's connections go.
     *
     * @param address an IP address literal (IPv6 without brackets); never looked up
     * @param port    the port to use whatever the request's, or 0 for the request's own
     */
    public record Target(String address, int port) {
        public Target {
            Objects.requireNonNull(address, "address");
            if (IpAddress.parse(address) == null) {
                throw new IllegalArgumentException("'" + address + "' is not an IP address (hosts: maps a name to an"
                        + " address such as 127.0.0.1 or ::1, optionally with :PORT)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is out of range");
            }
        }

        /** The address's bytes, for connecting without a lookup. */
        public byte[] addressBytes() {
            return IpAddress.parse(address);
        }

        /** {@code 127.0.0.1}, {@code 127.0.0.1:8443}, {@code [::1]:8443}: as written in the file. */
        @Override
        public String toString() {
            if (port == 0) {
                return address;
            }
            return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
        }

        /**
         * Reads {@code 127.0.0.1}, {@code 127.0.0.1:8443}, {@code ::1} or {@code [::1]:8443}.
         *
         * @throws IllegalArgumentException if it is not an address literal with an optional port
         */
        public static Target parse(String text) {
            String t = text.strip();
            if (t.startsWith("[")) {
                int close = t.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("'" + text + "' has no closing ]");
                }
                String rest = t.substring(close + 1);
                if (!rest.isEmpty() && !rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "': expected :PORT after ]");
                }
                return new Target(t.substring(1, close), rest.isEmpty() ? 0 : port(rest.substring(1), text));
            }
            int colon = t.indexOf(':');
            if (colon >= 0 && colon == t.lastIndexOf(':')) {
                return new Target(t.substring(0, colon), port(t.substring(colon + 1), text));
            }
            return new Target(t, 0); // an IPv4 address, or an IPv6 one without a port
        }

        private static int port(String digits, String text) {
            if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
                throw new IllegalArgumentException("'" + text + "': the port must be a number from 1 to 65535");
            }
            return Integer.parseInt(digits);
        }
    }

    public HostMap {
        Map<String, Target> copy = new LinkedHashMap<>();
        targets.forEach((host, target) -> copy.put(name(host), Objects.requireNonNull(target, "target")));
        targets = Collections.unmodifiableMap(copy);
    }

    /** Where connections to {@code host} go, if it is mapped. */
    public Optional<Target> lookup(String host) {
        return targets.isEmpty() ? Optional.empty() : Optional.ofNullable(targets.get(name(host)));
    }

    /** This map with {@code host} mapped to {@code target} (replacing any mapping it had). */
    public HostMap with(String host, Target target) {
        Map<String, Target> copy = new LinkedHashMap<>(targets);
        copy.put(name(host), target);
        return new HostMap(copy);
    }

    public boolean isEmpty() {
        return targets.isEmpty();
    }

    /** A host name as looked up: lower case, without the trailing dot of a fully qualified name. */
    private static String name(String host) {
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || !h.chars().allMatch(c -> c == '-' || c == '.' || c == '_' || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9'))) {
            throw new IllegalArgumentException("'" + host + "' is not a host name (letters, digits, - . _)");
        }
        return h;
    }
}
