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
        return glob(pattern, 0, host.toLowerCase(Locale.ROOT), 0);
    }

    private static boolean glob(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (glob(p, pi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || s.charAt(si) != c) {
                return false;
            }
            pi++;
            si++;
        }
        return si == s.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
