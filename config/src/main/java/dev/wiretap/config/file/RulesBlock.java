package dev.wiretap.config.file;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds a rule to a config file's text as text: the rule goes after the last rule of its top-level {@code rules:}
 * list (or under a new {@code rules:} at the end), indented as the rules already there are; every other line, comments
 * and blank lines included, stays as it was. A file whose rules are written in flow style ({@code rules: [...]}) is
 * not changed, and the reason says so. The caller checks the result by loading it. Stateless.
 */
public final class RulesBlock {

    private static final Pattern RULES_KEY = Pattern.compile("^rules\\s*:\\s*(?<value>[^#]*?)\\s*(?<comment>#.*)?$");

    private RulesBlock() {
    }

    /**
     * {@code fileText} with {@code item} (a list item at indentation 0, as {@link RespondRuleText#yaml} writes it) as
     * its last rule. Line endings follow the file's (CRLF or LF).
     *
     * @throws IllegalArgumentException if the file's rules are not a block list that text can be added to, saying why
     */
    public static String withRule(String fileText, String item) {
        String newline = fileText.contains("\r\n") ? "\r\n" : "\n";
        List<String> lines = new ArrayList<>(List.of(fileText.split("\r?\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast(); // the newline ending the last line
        }
        int key = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = RULES_KEY.matcher(lines.get(i));
            if (m.matches()) {
                String value = m.group("value");
                if (value.isEmpty() || value.equals("[]") || value.equals("~") || value.equals("null")) {
                    if (!value.isEmpty()) {
                        // An empty list written inline: the key alone holds a block list just as well.
                        lines.set(i, "rules:" + (m.group("comment") == null ? "" : " " + m.group("comment")));
                    }
                    key = i;
                    break;
                }
                throw new IllegalArgumentException("its rules are written on the line of 'rules:' (" + value
                        + "); add the rule to them by hand");
            }
        }
        List<String> out;
        if (key < 0) {
            out = new ArrayList<>(lines);
            if (!out.isEmpty() && !out.getLast().isBlank()) {
                out.add("");
            }
            out.add("rules:");
            out.addAll(indented(item, 2));
        } else {
            int last = key;
            int indent = -1;
            for (int i = key + 1; i < lines.size(); i++) {
                String line = lines.get(i);
                String stripped = line.strip();
                if (stripped.isEmpty() || stripped.startsWith("#")) {
                    continue; // blank lines and comments belong to whichever block they sit in: decided by what follows
                }
                if (!line.startsWith(" ") && !line.startsWith("-")) {
                    break; // the next top-level key
                }
                if (indent < 0 && stripped.startsWith("-")) {
                    indent = line.length() - line.stripLeading().length();
                }
                last = i;
            }
            out = new ArrayList<>(lines.subList(0, last + 1));
            out.addAll(indented(item, indent < 0 ? 2 : indent));
            out.addAll(lines.subList(last + 1, lines.size()));
        }
        return String.join(newline, out) + newline;
    }

    private static List<String> indented(String item, int indent) {
        String pad = " ".repeat(indent);
        List<String> lines = new ArrayList<>();
        for (String line : item.split("\n", -1)) {
            lines.add(line.isEmpty() ? line : pad + line);
        }
        if (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }
}
