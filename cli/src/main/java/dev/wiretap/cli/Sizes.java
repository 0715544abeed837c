package dev.wiretap.cli;

/** Byte counts and durations the way the log shows them: short and readable ({@code 1.2k}, {@code 35ms}). */
final class Sizes {

    private Sizes() {
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "b";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1fk", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format("%.1fm", bytes / (1024.0 * 1024));
        }
        return String.format("%.2fg", bytes / (1024.0 * 1024 * 1024));
    }

    static String millis(long nanos) {
        if (nanos < 10_000_000L) {
            return String.format("%.1fms", nanos / 1e6);
        }
        if (nanos < 10_000_000_000L) {
            return (nanos / 1_000_000) + "ms";
        }
        return String.format("%.1fs", nanos / 1e9);
    }
}
