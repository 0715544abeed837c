package dev.wiretap.cli;

/**
 * Byte counts and durations the way the log shows them: short and readable ({@code 1.2k}, {@code 35ms}), always with
 * a decimal point whatever the locale, so that log lines read and parse the same everywhere. Written with integer
 * arithmetic (rounding half up), as the log formats one line per exchange.
 */
public final class Sizes {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;

    private Sizes() {
    }

    public static String human(long bytes) {
        return append(new StringBuilder(8), bytes).toString();
    }

    public static StringBuilder append(StringBuilder sb, long bytes) {
        if (bytes < KIB) {
            return sb.append(bytes).append('b');
        }
        long tenthsOfKib = (bytes * 10 + KIB / 2) / KIB;
        if (tenthsOfKib < 10 * KIB) {
            return decimal(sb, tenthsOfKib, 10).append('k');
        }
        long tenthsOfMib = (bytes * 10 + MIB / 2) / MIB;
        if (tenthsOfMib < 10 * KIB) {
            return decimal(sb, tenthsOfMib, 10).append('m');
        }
        long hundredthsOfGib = (bytes / MIB * 100 + KIB / 2) / KIB;
        return decimal(sb, hundredthsOfGib, 100).append('g');
    }

    public static String millis(long nanos) {
        return appendMillis(new StringBuilder(8), nanos).toString();
    }

    public static StringBuilder appendMillis(StringBuilder sb, long nanos) {
        if (nanos < 10_000_000L) {
            return decimal(sb, (Math.max(0, nanos) + 50_000) / 100_000, 10).append("ms");
        }
        if (nanos < 10_000_000_000L) {
            return sb.append(nanos / 1_000_000).append("ms");
        }
        return decimal(sb, (nanos + 50_000_000) / 100_000_000, 10).append('s');
    }

    /** Appends {@code scaled / unit} with as many decimals as {@code unit} has zeros. */
    private static StringBuilder decimal(StringBuilder sb, long scaled, int unit) {
        sb.append(scaled / unit).append('.');
        long fraction = scaled % unit;
        if (unit == 100 && fraction < 10) {
            sb.append('0');
        }
        return sb.append(fraction);
    }
}
