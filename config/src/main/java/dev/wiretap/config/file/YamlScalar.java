package dev.wiretap.config.file;

import java.util.regex.Pattern;

/**
 * Text written as a YAML scalar that {@link YamlReader} reads back exactly, in the plainest form that does: as it is
 * ({@code application/json}), in single quotes ({@code 'a: b'}, where backslashes stay as typed, which keeps filters
 * readable), in double quotes with escapes (control characters, line breaks), or, for text of several lines, as a
 * literal block ({@code |}) under its key. Each form is read back before it is chosen; double quotes always read back.
 * For rules that wiretap writes into a config file (a flow's mock). Stateless.
 */
public final class YamlScalar {

    /** Plain scalars that read as text whatever YAML makes of them (a number, a date): getText keeps them as written. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9 _./+=,;()*@%-]*");

    private YamlScalar() {
    }

    /** {@code text} as a scalar on one line, for after {@code key: } or as a key. */
    public static String of(String text) {
        if (PLAIN.matcher(text).matches() && !text.endsWith(" ") && !isNullWord(text) && readsBack(text, text)) {
            return text;
        }
        String single = "'" + text.replace("'", "''") + "'";
        if (text.chars().allMatch(YamlScalar::isPrintable) && readsBack(single, text)) {
            return single;
        }
        return doubleQuoted(text);
    }

    /**
     * {@code text} as the value of a key written at {@code indent} spaces: a literal block, its lines indented two
     * spaces more, when the text has several lines that such a block holds exactly; else {@link #of}.
     */
    public static String value(String text, int indent) {
        if (text.indexOf('\n') < 0 || text.indexOf('\r') >= 0 || !text.chars().allMatch(c -> c == '\n' || c == '\t' || isPrintable(c))) {
            return of(text);
        }
        int trailing = 0;
        while (trailing < text.length() && text.charAt(text.length() - 1 - trailing) == '\n') {
            trailing++;
        }
        String chomping = trailing == 0 ? "-" : trailing == 1 ? "" : "+";
        String content = text.substring(0, text.length() - trailing);
        // An indentation indicator when the first line starts with a space, which YAML would take for indentation.
        String indicator = content.startsWith(" ") || content.startsWith("\n") ? "2" : "";
        String pad = " ".repeat(indent + 2);
        StringBuilder sb = new StringBuilder(text.length() + 64).append('|').append(indicator).append(chomping);
        for (String line : text.substring(0, text.length() - Math.min(trailing, 1)).split("\n", -1)) {
            sb.append('\n');
            if (!line.isEmpty()) {
                sb.append(pad).append(line);
            }
        }
        String block = sb.toString();
        return readsBack(block, text, indent) ? block : doubleQuoted(text);
    }

    /** Double quotes, with YAML's escapes for what may not stand as itself. Always reads back. */
    public static String doubleQuoted(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\0' -> sb.append("\\0");
                default -> {
                    if (isPrintable(c)) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Whether YAML lets {@code c} stand as itself inside quotes: no C0 or C1 control, DEL, byte-order mark, or the
     * characters YAML 1.1 takes for line breaks (U+0085, U+2028, U+2029). Surrogates are whole characters in the file.
     */
    private static boolean isPrintable(int c) {
        return c >= 0x20 && c != 0x7F && !(c >= 0x80 && c <= 0x9F) && c != 0xFEFF && c != 0x2028 && c != 0x2029
                && c != 0xFFFE && c != 0xFFFF;
    }

    private static boolean isNullWord(String text) {
        return text.equals("~") || text.equalsIgnoreCase("null");
    }

    private static boolean readsBack(String written, String text) {
        return readsBack(written, text, 0);
    }

    /** Whether {@code written}, the value of a key at {@code indent} spaces, reads back as {@code text}. */
    private static boolean readsBack(String written, String text, int indent) {
        String pad = " ".repeat(indent);
        try {
            ConfigNode root = YamlReader.read(pad + "k: " + written + "\n", "check");
            return root instanceof ConfigNode.Mapping m && m.entries().get("k") != null
                    && m.entries().get("k").value() instanceof ConfigNode.Scalar s && text.equals(s.text() == null ? "" : s.text())
                    && (!text.isEmpty() || s.text() != null);
        } catch (ConfigError e) {
            return false;
        }
    }
}
