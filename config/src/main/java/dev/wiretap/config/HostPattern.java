package dev.wiretap.config;

import java.util.Locale;

/**
 * A host name pattern, as the user writes it for hosts that must not be intercepted: {@code example.com} matches
 * that host only, {@code *.example.com} any host below it (at any depth, but not example.com itself), {@code *} every
 * host; {@code *} may stand anywhere ({@code api-*.example.com}). Case-insensitive. Immutable.
 */
public record HostPattern(String pattern) {

    public HostPattern {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("a host pattern must not be empty");
        }
        pattern = pattern.strip().toLowerCase(Locale.ROOT);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '*' || c == ':' || c == '_')) {
                throw new IllegalArgumentException("'" + pattern + "' is not a host pattern (character '" + c + "')");
            }
        }
    }

    public boolean matches(String host) {
        return glob(pattern, host.toLowerCase(Locale.ROOT));
    }

    /**
     * Glob matching with {@code *} only, in O(pattern x host) steps at worst: on a mismatch only the last star seen
     * takes one more character, since any earlier star's choice is covered by it. (Trying every split for every star
     * takes exponential time with several stars, and the host comes from the client.)
     */
    private static boolean glob(String p, String s) {
        int pi = 0;
        int si = 0;
        int star = -1;
        int starMatch = 0;
        while (si < s.length()) {
            if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                starMatch = si;
            } else if (pi < p.length() && p.charAt(pi) == s.charAt(si)) {
                pi++;
                si++;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++starMatch;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
