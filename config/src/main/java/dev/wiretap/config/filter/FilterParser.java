package dev.wiretap.config.filter;

import java.util.Optional;

/**
 * Reads filter expressions. Grammar (precedence from loose to tight: {@code |}, then {@code &} or a space, then
 * {@code !}):
 * <pre>
 *   expr   = and *( "|" and )
 *   and    = unary *( ["&amp;"] unary )
 *   unary  = "!" unary / "(" expr ")" / term
 *   term   = field ":" value / value                    ; a value alone is a url term
 *   value  = "/" regex "/" / DQUOTE text DQUOTE / word  ; a word ends at a space, "&", "|" or an unmatched ")"
 * </pre>
 * Faults are {@link FilterException}s with the 1-based column. Nesting ({@code (} and {@code !}) is bounded, and so is
 * the number of terms, so that no text makes the parser, or matching and printing the filter (which recurse over it),
 * run out of stack. Not thread-safe: one per text.
 */
final class FilterParser {

    /** Groups and negations inside one another, at most. */
    static final int MAX_DEPTH = 64;
    /** Terms in one filter, at most. */
    static final int MAX_TERMS = 1000;

    private final String text;
    private int pos;
    private int depth;
    private int terms;

    FilterParser(String text) {
        this.text = text == null ? "" : text;
    }

    Filter parse() {
        skipSpaces();
        if (pos == text.length()) {
            return Filter.ALL;
        }
        Filter filter = or();
        skipSpaces();
        if (pos < text.length()) {
            throw fault(text.charAt(pos) == ')' ? "a ')' without its '('" : "unexpected '" + text.charAt(pos) + "'");
        }
        return filter;
    }

    private Filter or() {
        Filter left = and();
        while (true) {
            skipSpaces();
            if (peek() != '|') {
                return left;
            }
            pos++;
            left = new Filter.Or(left, and());
        }
    }

    private Filter and() {
        Filter left = unary();
        while (true) {
            skipSpaces();
            char c = peek();
            if (c == '&') {
                pos++;
                left = new Filter.And(left, unary());
            } else if (c == 0 || c == '|' || c == ')') {
                return left;
            } else {
                left = new Filter.And(left, unary()); // adjacency: a space means and
            }
        }
    }

    private Filter unary() {
        skipSpaces();
        char c = peek();
        if (c == 0) {
            throw fault("the expression ends where a term was expected");
        }
        if (c == '!' || c == '(') {
            if (++depth > MAX_DEPTH) {
                throw fault("more than " + MAX_DEPTH + " groups and negations inside one another");
            }
            Filter inner = c == '!' ? negation() : group();
            depth--;
            return inner;
        }
        if (c == ')' || c == '&' || c == '|') {
            throw fault("'" + c + "' where a term was expected");
        }
        if (++terms > MAX_TERMS) {
            throw fault("more than " + MAX_TERMS + " terms");
        }
        return term();
    }

    private Filter negation() {
        pos++;
        return new Filter.Not(unary());
    }

    private Filter group() {
        int open = pos++;
        Filter inner = or();
        skipSpaces();
        if (peek() != ')') {
            throw new FilterException("the '(' here is never closed", open + 1);
        }
        pos++;
        return inner;
    }

    private Filter term() {
        int start = pos;
        int colon = fieldEnd();
        if (colon < 0) {
            return new Filter.Term(Field.URL, value(Field.URL));
        }
        String keyword = text.substring(start, colon);
        Field field = Field.of(keyword).orElseThrow(() -> new FilterException("unknown field '" + keyword + "'"
                + Suggestion.nearest(keyword, Field.keywords()).map(s -> " (did you mean '" + s + "'?)").orElse("")
                + "; fields are " + String.join(", ", Field.keywords()), start + 1));
        pos = colon + 1;
        if (pos >= text.length() || Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ')') {
            throw fault("'" + keyword + ":' needs a value");
        }
        return switch (field) {
            case STATUS -> status();
            case HEADER, REQHEADER, RESHEADER -> header(field);
            default -> new Filter.Term(field, value(field));
        };
    }

    /** The index of the ':' ending a field keyword at the position, or -1 if the term is a bare value. */
    private int fieldEnd() {
        int i = pos;
        while (i < text.length() && Character.isLetter(text.charAt(i))) {
            i++;
        }
        return i > pos && i < text.length() && text.charAt(i) == ':' ? i : -1;
    }

    private Pattern value(Field field) {
        char c = peek();
        int start = pos;
        if (c == '/' && field != Field.PATH || c == '/' && looksLikeRegex()) {
            return Pattern.regex(regexBody(), start);
        }
        if (c == '"') {
            return Pattern.globOrWord(quoted());
        }
        return Pattern.globOrWord(word());
    }

    /**
     * A path value starting with '/' is a path ({@code path:/v2/}), unless it is wrapped in slashes, holds regular
     * expression characters and no other unescaped slash ({@code path:/\.json$/}, {@code path:/^\/v[0-9]\//}): a path
     * with slashes inside and a dot ({@code path:/api/v1.2/}) is a path, where the regular expression would have ended
     * at its second slash and left the rest to be read as a term of its own.
     */
    private boolean looksLikeRegex() {
        int end = pos + 1;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && ")&|".indexOf(text.charAt(end)) < 0) {
            end++;
        }
        if (end - pos < 3 || text.charAt(end - 1) != '/') {
            return false;
        }
        String inner = text.substring(pos + 1, end - 1);
        boolean special = false;
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length() && inner.charAt(i + 1) == '/') {
                special = true;
                i++;
            } else if (c == '/' || c == '\\' && i + 1 == inner.length()) {
                return false; // the expression would end here (or its closing slash would be escaped)
            } else if ("^$.*+?()[]{}|\\".indexOf(c) >= 0) {
                special = true;
            }
        }
        return special;
    }

    private String regexBody() {
        int start = pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length() && text.charAt(pos) == '/') {
                sb.append('/');
                pos++;
            } else if (c == '/') {
                return sb.toString();
            } else {
                sb.append(c);
            }
        }
        throw new FilterException("the regular expression starting here has no closing '/'", start + 1);
    }

    private String quoted() {
        int start = pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                sb.append(text.charAt(pos++));
            } else if (c == '"') {
                return sb.toString();
            } else {
                sb.append(c);
            }
        }
        throw new FilterException("the quoted text starting here has no closing '\"'", start + 1);
    }

    /**
     * A word: up to a space, an operator ({@code &} or {@code |}: quote a value that holds one), or a ')' that
     * closes a group (parentheses inside the word stay in it).
     */
    private String word() {
        int start = pos;
        int depth = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == '&' || c == '|' || (c == ')' && depth == 0)) {
                break;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            pos++;
        }
        if (pos == start) {
            throw fault("a value was expected");
        }
        return text.substring(start, pos);
    }

    private Filter status() {
        int start = pos;
        String value = peek() == '"' ? quoted() : word();
        String v = value.toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.matches("[1-5]xx")) {
                int hundreds = (v.charAt(0) - '0') * 100;
                return new Filter.Status(hundreds, hundreds + 99, v);
            }
            if (v.matches("\\d{3}-\\d{3}")) {
                int from = Integer.parseInt(v.substring(0, 3));
                int to = Integer.parseInt(v.substring(4));
                if (from <= to) {
                    return new Filter.Status(from, to, v);
                }
            } else if (v.matches("\\d{3}")) {
                int code = Integer.parseInt(v);
                return new Filter.Status(code, code, v);
            }
        } catch (NumberFormatException e) {
            // falls through to the fault below
        }
        throw new FilterException("'" + value + "' is not a status: write 404, 5xx or 400-499", start + 1);
    }

    private Filter header(Field field) {
        int start = pos;
        String value = peek() == '"' ? quoted() : headerName();
        Optional<Pattern> pattern = Optional.empty();
        String name = value;
        if (pos < text.length() && text.charAt(pos) == '=') {
            pos++;
            if (pos >= text.length() || Character.isWhitespace(text.charAt(pos))) {
                throw fault("'" + name + "=' needs a value (or leave out '=' to test that the field is there)");
            }
            pattern = Optional.of(value(Field.URL));
        } else {
            int eq = value.indexOf('=');
            if (eq >= 0) { // a quoted "Name=value"
                name = value.substring(0, eq);
                pattern = Optional.of(Pattern.globOrWord(value.substring(eq + 1)));
            }
        }
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new FilterException("'" + name + "' is not a field name", start + 1);
        }
        return new Filter.Header(field, name, pattern);
    }

    private String headerName() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == ')' || c == '=' || c == '&' || c == '|') {
                break;
            }
            pos++;
        }
        if (pos == start) {
            throw fault("a field name was expected");
        }
        return text.substring(start, pos);
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private FilterException fault(String message) {
        return new FilterException(message, pos + 1);
    }
}
