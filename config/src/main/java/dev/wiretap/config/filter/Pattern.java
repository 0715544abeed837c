package dev.wiretap.config.filter;

import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * What a filter term's value is compared with: a glob ({@code *} any run of characters, {@code ?} one), a word
 * (no glob characters: found anywhere in the text), or a {@code /regular expression/} (found anywhere; anchor it
 * with ^ and $ for a whole match). Case-insensitive. Immutable and thread-safe.
 */
public sealed interface Pattern {

    boolean matches(String text);

    /** Matches the whole text against a glob. */
    record Glob(String glob, java.util.regex.Pattern compiled) implements Pattern {
        @Override
        public boolean matches(String text) {
            return compiled.matcher(text).matches();
        }

        @Override
        public String toString() {
            return glob;
        }
    }

    /** Found anywhere in the text. */
    record Word(String word) implements Pattern {
        public Word {
            word = word.toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean matches(String text) {
            return text.toLowerCase(Locale.ROOT).contains(word);
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /** A regular expression found anywhere in the text. */
    record Regex(java.util.regex.Pattern compiled) implements Pattern {
        @Override
        public boolean matches(String text) {
            return compiled.matcher(text).find();
        }

        @Override
        public String toString() {
            return "/" + compiled.pattern() + "/";
        }
    }

    /** A glob if the value has {@code *} or {@code ?}, else a word. */
    static Pattern globOrWord(String value) {
        if (value.indexOf('*') < 0 && value.indexOf('?') < 0) {
            return new Word(value);
        }
        return glob(value);
    }

    /** A glob, matched against the whole text. */
    static Pattern glob(String value) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(value, java.util.regex.Pattern.compile(regex.toString(),
                java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.DOTALL));
    }

    /** A regular expression; {@code column} is the 0-based index of its opening '/', for the error. */
    static Pattern regex(String value, int column) {
        try {
            return new Regex(java.util.regex.Pattern.compile(value, java.util.regex.Pattern.CASE_INSENSITIVE));
        } catch (PatternSyntaxException e) {
            throw new FilterException("invalid regular expression /" + value + "/: " + e.getDescription(), column + 2 + Math.max(0, e.getIndex()));
        }
    }
}
