package dev.wiretap.config.file;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed values out of {@link ConfigNode}s: durations ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}),
 * sizes ({@code 512}, {@code 64k}, {@code 1m}, {@code 256MiB}), booleans, integers, text and lists of text; and
 * writes durations and sizes back the same way. Faults are {@link ConfigError}s naming where and which key.
 */
public final class Values {

    private Values() {
    }

    public static String text(ConfigNode node, String key) throws ConfigError {
        if (node instanceof ConfigNode.Scalar s && !s.isNull()) {
            return s.text();
        }
        throw new ConfigError(node.where(), key, "expected a value, found " + node.kind());
    }

    public static boolean bool(ConfigNode node, String key) throws ConfigError {
        String t = text(node, key).toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigError(node.where(), key, "'" + t + "' is not true or false");
        };
    }

    public static int integer(ConfigNode node, String key) throws ConfigError {
        String t = text(node, key).strip();
        try {
            return Integer.parseInt(t.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new ConfigError(node.where(), key, "'" + t + "' is not a whole number");
        }
    }

    public static Duration duration(ConfigNode node, String key) throws ConfigError {
        String t = text(node, key).strip().toLowerCase(Locale.ROOT);
        try {
            return parseDuration(t);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(node.where(), key, "'" + t + "' is not a duration (for example 500ms, 30s, 2m, 1h)");
        }
    }

    /** {@code 500ms}, {@code 1.5s}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}. */
    public static Duration parseDuration(String t) {
        String[] units = {"ms", "s", "m", "h", "d"};
        long[] nanos = {1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L, 86_400_000_000_000L};
        for (int i = 0; i < units.length; i++) {
            if (t.endsWith(units[i]) && !(units[i].equals("s") && t.endsWith("ms"))
                    && !(units[i].equals("m") && t.endsWith("ms"))) {
                String number = t.substring(0, t.length() - units[i].length()).strip();
                double value = Double.parseDouble(number);
                if (value < 0 || Double.isNaN(value) || Double.isInfinite(value) || number.isEmpty()) {
                    throw new IllegalArgumentException(t);
                }
                return Duration.ofNanos(Math.round(value * nanos[i]));
            }
        }
        throw new IllegalArgumentException(t);
    }

    public static long size(ConfigNode node, String key) throws ConfigError {
        String t = text(node, key).strip();
        try {
            return parseSize(t);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(node.where(), key, "'" + t + "' is not a size (for example 512, 64k, 1m, 256MiB)");
        }
    }

    /** A byte count: a number, with k/m/g (or KiB/MiB/GiB, KB/MB/GB: all powers of 1024) after it. */
    public static long parseSize(String t) {
        String s = t.strip().toLowerCase(Locale.ROOT).replace("_", "");
        long multiplier = 1;
        for (String[] unit : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"},
                {"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1024"}, {"m", "1048576"},
                {"g", "1073741824"}, {"b", "1"}}) {
            if (s.endsWith(unit[0])) {
                multiplier = Long.parseLong(unit[1]);
                s = s.substring(0, s.length() - unit[0].length()).strip();
                break;
            }
        }
        double value = Double.parseDouble(s);
        if (value < 0 || Double.isNaN(value) || value * multiplier > Long.MAX_VALUE || s.isEmpty()) {
            throw new IllegalArgumentException(t);
        }
        return Math.round(value * multiplier);
    }

    /** A list of text values; a single value stands for a list of one. */
    public static List<String> texts(ConfigNode node, String key) throws ConfigError {
        List<String> values = new ArrayList<>();
        if (node instanceof ConfigNode.Sequence seq) {
            for (int i = 0; i < seq.items().size(); i++) {
                values.add(text(seq.items().get(i), key + "[" + (i + 1) + "]"));
            }
        } else if (!(node instanceof ConfigNode.Scalar s && s.isNull())) {
            values.add(text(node, key));
        }
        return values;
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}: the shortest exact way to write it. */
    public static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms != 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0 && ms != 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** {@code 64k}, {@code 1m}, {@code 300}: the shortest exact way to write it. */
    public static String formatSize(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }
}
