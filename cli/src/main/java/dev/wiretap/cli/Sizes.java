package dev.wiretap.cli;

import java.util.Locale;

/**
 * Byte counts and durations the way the log shows them: short and readable ({@code 1.2k}, {@code 35ms}), with a
 * decimal point in every locale so that log lines read and parse the same everywhere.
 */
final class Sizes {

    private Sizes() {
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + "b";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1fk", bytes / 1024.0);
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1fm", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2fg", bytes / (1024.0 * 1024 * 1024));
    }

    static String millis(long nanos) {
        if (nanos < 10_000_000L) {
            return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
        }
        if (nanos < 10_000_000_000L) {
            return (nanos / 1_000_000) + "ms";
        }
        return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
    }
}
