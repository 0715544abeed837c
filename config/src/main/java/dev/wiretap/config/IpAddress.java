package dev.wiretap.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals, read without ever asking DNS: for matching hosts against {@code no_proxy} entries and telling
 * loopback addresses. Stateless.
 */
final class IpAddress {

    private IpAddress() {
    }

    /** The address's bytes (4 or 16) if {@code text} is an IPv4 or IPv6 literal (without brackets), else null. */
    static byte[] parse(String text) {
        if (text.indexOf(':') >= 0) {
            if (!text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
            try {
                // In brackets the JDK reads the text as an IPv6 literal or refuses it; it never looks it up.
                return InetAddress.getByName("[" + text + "]").getAddress();
            } catch (UnknownHostException e) {
                return null; // not a valid IPv6 literal: so not an address at all
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                return null;
            }
            bytes[i] = (byte) Integer.parseInt(p);
        }
        return bytes;
    }

    /** True when {@code address} lies in {@code network}/{@code prefixBits} (both of the same family). */
    static boolean inRange(byte[] address, byte[] network, int prefixBits) {
        if (address.length != network.length) {
            return false;
        }
        for (int bit = 0; bit < prefixBits; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** True for {@code localhost} (and names under it, RFC 6761), 127.0.0.0/8 and ::1: this machine, by any road. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        byte[] address = parse(h);
        if (address == null) {
            return false;
        }
        if (address.length == 4) {
            return address[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[15] == 1;
    }
}
