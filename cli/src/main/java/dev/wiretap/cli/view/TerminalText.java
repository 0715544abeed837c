package dev.wiretap.cli.view;

import java.util.ArrayList;
import java.util.List;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;

/**
 * Text made safe and measured for a terminal: the one place that decides what of a flow's text (from clients, origins,
 * config and session files) may reach a terminal as it is. Control characters are shown as {@code ^X} (as
 * {@code cat -v} does) and C1 controls (U+0080 to U+009F, which many terminals read as ESC sequences, CSI among them)
 * as {@code <U+009B>}, so that no text can move the cursor, change colours, set the window title or answer for the
 * user; bidirectional overrides and isolates are shown as {@code <U+202E>} so that they cannot reorder what is read;
 * tabs are expanded. Lines are cut or wrapped to a width in columns (East Asian wide characters and emoji take two).
 *
 * <p>Every sink that prints such text routes it through here: the console's {@code Screen} makes each line it writes
 * inert ({@link #inert}), whatever command made it; the headless log makes each value it formats visible
 * ({@link #visible}) beside its own colour codes; body views make their lines visible before cutting them to width.
 * Stateless.
 */
public final class TerminalText {

    private static final int TAB = 4;

    private TerminalText() {
    }

    /** {@code line} (no line breaks expected) with every character a terminal would act on made visible. */
    public static String visible(String line) {
        return visible(line, false);
    }

    /** {@code text} made visible as {@link #visible(String)} does, its line feeds kept as line breaks. */
    public static String visibleLines(String text) {
        return visible(text, true);
    }

    /**
     * {@code line} with its text made visible and its styles (wiretap's own colours) kept: the characters a terminal
     * would act on are replaced, each replacement in the style of the character it stands for. Line feeds are kept.
     */
    public static AttributedString inert(AttributedString line) {
        String text = line.toString();
        if (visible(text, true) == text) {
            return line; // nothing to replace: the common case costs one scan
        }
        AttributedStringBuilder sb = new AttributedStringBuilder(text.length() + 16);
        int column = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            String replacement = cp == '\n' ? null : replacement(cp, column);
            sb.append(replacement != null ? replacement : text.substring(i, i + n), line.styleAt(i));
            column = cp == '\n' ? 0 : column + (replacement != null ? replacement.length() : width(cp));
            i += n;
        }
        return sb.toAttributedString();
    }

    private static String visible(String line, boolean keepLineFeeds) {
        StringBuilder sb = null;
        int column = 0;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            int n = Character.charCount(cp);
            String replacement = keepLineFeeds && cp == '\n' ? null : replacement(cp, column);
            if (replacement != null && sb == null) {
                sb = new StringBuilder(line.length() + 16).append(line, 0, i);
            }
            if (sb != null) {
                if (replacement != null) {
                    sb.append(replacement);
                } else {
                    sb.append(line, i, i + n);
                }
            }
            column = replacement == null && cp == '\n' ? 0
                    : column + (replacement != null ? replacement.length() : width(cp));
            i += n;
        }
        return sb == null ? line : sb.toString();
    }

    /**
     * Whether a terminal may act on {@code cp} rather than show it: C0 controls (tab and line feed included), DEL,
     * C1 controls, and the bidirectional formatting characters. Formats with escapes of their own (the JSON log)
     * escape exactly these.
     */
    public static boolean actsOnTerminal(int cp) {
        return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || isBidiControl(cp);
    }

    private static boolean isBidiControl(int cp) {
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
                || cp == 0x061C;
    }

    private static String replacement(int cp, int column) {
        if (cp == '\t') {
            return " ".repeat(TAB - column % TAB);
        }
        if (cp < 0x20) {
            return "^" + (char) (cp + 0x40);
        }
        if (cp == 0x7F) {
            return "^?";
        }
        if (cp >= 0x80 && cp < 0xA0) {
            return String.format("<U+%04X>", cp);
        }
        if (isBidiControl(cp)) {
            return String.format("<U+%04X>", cp);
        }
        return null;
    }

    /** Columns {@code cp} takes: 2 for wide characters, 0 for combining marks, else 1. */
    public static int width(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || cp == 0x200B) {
            return 0;
        }
        return isWide(cp) ? 2 : 1;
    }

    private static boolean isWide(int cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
                || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
                || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
                || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
    }

    /** Columns {@code text} takes (already made {@link #visible}). */
    public static int width(String text) {
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            w += width(cp);
            i += Character.charCount(cp);
        }
        return w;
    }

    /** {@code text} cut to {@code columns}, ending in {@code …} when it was longer. */
    public static String cut(String text, int columns) {
        if (width(text) <= columns) {
            return text;
        }
        int w = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (w + width(cp) > columns - 1) {
                break;
            }
            w += width(cp);
            i += Character.charCount(cp);
        }
        return text.substring(0, i) + "…";
    }

    /** {@code text} broken into pieces of at most {@code columns} (at least one piece, maybe empty). */
    public static List<String> wrap(String text, int columns) {
        List<String> pieces = new ArrayList<>(1);
        int start = 0;
        int w = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int cw = width(cp);
            if (w + cw > columns && i > start) {
                pieces.add(text.substring(start, i));
                start = i;
                w = 0;
            }
            w += cw;
            i += Character.charCount(cp);
        }
        pieces.add(text.substring(start));
        return pieces;
    }
}
