package dev.wiretap.proxy.addon;

/**
 * A rule's {@code strip:} prefix taken off a request path, at a segment boundary only: {@code /api} comes off
 * {@code /api}, {@code /api/x} and {@code /api?q}, but not off {@code /apiary}.
 */
final class PathPrefix {

    private PathPrefix() {
    }

    /** {@code path} without {@code prefix}, or {@code path} unchanged when it does not start with it. */
    static String strip(String path, String prefix) {
        if (prefix.isEmpty() || !path.startsWith(prefix)) {
            return path;
        }
        if (prefix.endsWith("/") || path.length() == prefix.length()) {
            return path.substring(prefix.length());
        }
        char next = path.charAt(prefix.length());
        return next == '/' || next == '?' ? path.substring(prefix.length()) : path;
    }
}
