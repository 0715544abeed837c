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

    /**
     * Matches the whole text against a glob, without regard to case: {@code *} any run of characters, {@code ?} one.
     * Matched by walking both once, going back only to the last {@code *} (at most text length times glob length steps);
     * a regular expression made of the glob ({@code .*.*.*x}) backtracked exponentially on a text it did not match, which
     * a URL from the network could make every rule's filter do.
     */
    record Glob(String glob, int[] codePoints) implements Pattern {
        Glob(String glob) {
            this(glob, glob.codePoints().toArray());
        }

        @Override
        public boolean matches(String text) {
            int[] t = text.codePoints().toArray();
            int[] g = codePoints;
            int ti = 0;
            int gi = 0;
            int star = -1;
            int resume = 0;
            while (ti < t.length) {
                if (gi < g.length && g[gi] == '*') {
                    star = gi++;
                    resume = ti;
                } else if (gi < g.length && (g[gi] == '?' || sameIgnoringCase(g[gi], t[ti]))) {
                    gi++;
                    ti++;
                } else if (star >= 0) {
                    gi = star + 1; // let the last * take one more character
                    ti = ++resume;
                } else {
                    return false;
                }
            }
            while (gi < g.length && g[gi] == '*') {
                gi++;
            }
            return gi == g.length;
        }

        private static boolean sameIgnoringCase(int a, int b) {
            return a == b || Character.toLowerCase(a) == Character.toLowerCase(b)
                    || Character.toUpperCase(a) == Character.toUpperCase(b);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Glob other && other.glob.equals(glob);
        }

        @Override
        public int hashCode() {
            return glob.hashCode();
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
        return new Glob(value);
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
