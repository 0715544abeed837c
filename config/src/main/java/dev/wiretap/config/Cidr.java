package dev.wiretap.config;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;

/**
 * A block of IP addresses written as CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), or one address
 * ({@code 192.168.1.7}, {@code ::1}): an entry of {@code clients.allow}. Literals only, never looked up. Immutable.
 */
public final class Cidr {

    private final String text;
    private final byte[] network;
    private final int prefixBits;

    private Cidr(String text, byte[] network, int prefixBits) {
        this.text = text;
        this.network = network;
        this.prefixBits = prefixBits;
    }

    /**
     * Parses {@code ADDRESS/BITS} or {@code ADDRESS} (all its bits). Bits set past the prefix are refused
     * ({@code 10.1.0.0/8}): such a block reads one way and matches another.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Cidr parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        if (address.startsWith("[") && address.endsWith("]")) {
            address = address.substring(1, address.length() - 1);
        }
        byte[] bytes = IpAddress.parse(address);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block (for example 10.0.0.0/8,"
                    + " 192.168.1.7, ::1, fd00::/8)");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            String prefix = t.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(prefix) > bits) {
                throw new IllegalArgumentException("'" + text + "': the prefix after / must be a number of bits from 0 to " + bits);
            }
            bits = Integer.parseInt(prefix);
        }
        for (int bit = bits; bit < bytes.length * 8; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("'" + text + "' has bits set past its /" + bits + " prefix; the block is "
                        + masked(bytes, bits) + "/" + bits);
            }
        }
        return new Cidr(text.strip(), bytes, bits);
    }

    /** Whether {@code address} lies in this block; an IPv4 address written as IPv6 ({@code ::ffff:10.1.2.3}) counts as IPv4. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        return IpAddress.inRange(a, network, prefixBits);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static String masked(byte[] bytes, int bits) {
        byte[] m = bytes.clone();
        for (int bit = bits; bit < m.length * 8; bit++) {
            m[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(m).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: always an address
        }
    }

    /** As written. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixBits == prefixBits && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixBits;
    }
}
