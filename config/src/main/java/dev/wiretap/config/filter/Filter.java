package dev.wiretap.config.filter;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed filter expression: which exchanges it selects. Written by users in one readable language used wherever
 * a set of flows is chosen (rules, the console's view, intercept, export); {@link #parse} reads it. Immutable and
 * thread-safe.
 *
 * <pre>
 *   host:api.example.com method:POST status:5xx
 *   !type:image &amp; (path:/v2/* | header:X-Debug)
 * </pre>
 */
public sealed interface Filter {

    boolean matches(Exchange exchange);

    /**
     * Whether this filter looks at the response (status, response fields, content type, bodies), so that it can only
     * be decided once the response head is known. The rules decide such filters at the response head, and every other
     * one once, at the request head.
     */
    default boolean readsResponse() {
        return switch (this) {
            case All a -> false;
            case Written w -> w.filter().readsResponse();
            case And a -> a.left().readsResponse() || a.right().readsResponse();
            case Or o -> o.left().readsResponse() || o.right().readsResponse();
            case Not n -> n.inner().readsResponse();
            case Status s -> true;
            case Header h -> h.field() != Field.REQHEADER;
            case Term t -> t.field() == Field.TYPE || t.field() == Field.BODY || t.field() == Field.RESBODY;
        };
    }

    /**
     * Whether this filter looks at a body ({@code body:}, {@code reqbody:}, {@code resbody:}), so that whoever asks it
     * must have the bodies at hand (a list read without them cannot decide it).
     */
    default boolean readsBodies() {
        return switch (this) {
            case All a -> false;
            case Written w -> w.filter().readsBodies();
            case And a -> a.left().readsBodies() || a.right().readsBodies();
            case Or o -> o.left().readsBodies() || o.right().readsBodies();
            case Not n -> n.inner().readsBodies();
            case Status s -> false;
            case Header h -> false;
            case Term t -> t.field() == Field.BODY || t.field() == Field.REQBODY || t.field() == Field.RESBODY;
        };
    }

    /**
     * Reads {@code text}; an empty text selects everything. The filter reads back as written: its {@link #toString}
     * is {@code text} without the spaces around it, as the user typed it (case and all), for echoing it back.
     */
    static Filter parse(String text) {
        Filter filter = new FilterParser(text).parse();
        return filter == ALL ? ALL : new Written(filter, text.strip());
    }

    /** Selects every exchange. */
    Filter ALL = new All();

    record All() implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return true;
        }

        @Override
        public String toString() {
            return "";
        }
    }

    /** A parsed filter with the text it was read from, which {@link #toString} gives back unchanged. */
    record Written(Filter filter, String text) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return filter.matches(exchange);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Both; a chain of them ({@code a b c}) prints as one group, {@code (a & b & c)}, which reads back the same. */
    record And(Filter left, Filter right) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return left.matches(exchange) && right.matches(exchange);
        }

        @Override
        public String toString() {
            return chain(this, " & ");
        }
    }

    /** Either; a chain prints as one group, as {@link And}'s does. */
    record Or(Filter left, Filter right) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return left.matches(exchange) || right.matches(exchange);
        }

        @Override
        public String toString() {
            return chain(this, " | ");
        }
    }

    /**
     * A chain of one operator as one group: {@code (a & b & c)} for {@code And(And(a, b), c)}. Built in one pass, since
     * the parser makes chains lean left (printing each link's text into the next would cost the square of the length).
     */
    private static String chain(Filter filter, String operator) {
        java.util.ArrayDeque<Filter> rights = new java.util.ArrayDeque<>();
        Filter f = filter;
        while (f.getClass() == filter.getClass()) {
            rights.push(f instanceof And a ? a.right() : ((Or) f).right());
            f = f instanceof And a ? a.left() : ((Or) f).left();
        }
        StringBuilder sb = new StringBuilder("(").append(f);
        while (!rights.isEmpty()) {
            sb.append(operator).append(rights.pop());
        }
        return sb.append(')').toString();
    }

    record Not(Filter inner) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return !inner.matches(exchange);
        }

        @Override
        public String toString() {
            return "!" + inner;
        }
    }

    /** {@code status:...}: an inclusive range of status codes; never matches before a response is known. */
    record Status(int from, int to, String text) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            Optional<Integer> status = exchange.status();
            return status.isPresent() && status.get() >= from && status.get() <= to;
        }

        @Override
        public String toString() {
            return "status:" + text;
        }
    }

    /**
     * A field ({@code header:NAME}, or {@code header:NAME=VALUE} with {@code value} present) of the request, the
     * response, or either.
     */
    record Header(Field field, String name, Optional<Pattern> value) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return (field != Field.RESHEADER && any(exchange.requestHeader(name)))
                    || (field != Field.REQHEADER && any(exchange.responseHeader(name)));
        }

        private boolean any(List<String> values) {
            if (value.isEmpty()) {
                return !values.isEmpty();
            }
            for (String v : values) {
                if (value.get().matches(v)) {
                    return true;
                }
            }
            return false;
        }

        /** The name in quotes when it holds what would end it unquoted (a field name may hold {@code |} or {@code &}). */
        @Override
        public String toString() {
            boolean plain = !name.startsWith("\"") && name.chars().noneMatch(c -> Character.isWhitespace(c) || ")=&|".indexOf(c) >= 0);
            return field.keyword() + ":" + (plain ? name : "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                    + value.map(v -> "=" + written(v, false)).orElse("");
        }
    }

    /** A field compared with a pattern; a plain word matches per the field (see {@link Field}). */
    record Term(Field field, Pattern pattern) implements Filter {
        @Override
        public boolean matches(Exchange exchange) {
            return switch (field) {
                case HOST -> host(exchange.host());
                case PATH -> pattern instanceof Pattern.Word w ? startsWith(exchange.pathAndQuery(), w.word())
                        : pattern.matches(exchange.pathAndQuery());
                case URL -> pattern.matches(exchange.url());
                case METHOD -> pattern instanceof Pattern.Word w ? exchange.method().equalsIgnoreCase(w.word())
                        : pattern.matches(exchange.method());
                case TYPE -> contentType(exchange).map(pattern::matches).orElse(false);
                case BODY -> pattern.matches(exchange.requestBodyText()) || pattern.matches(exchange.responseBodyText());
                case REQBODY -> pattern.matches(exchange.requestBodyText());
                case RESBODY -> pattern.matches(exchange.responseBodyText());
                case PROTO -> exchange.protocols().stream().anyMatch(this::protocol);
                default -> throw new IllegalStateException(field + " is not a plain term");
            };
        }

        /** A word names the protocol ({@code h2}) or its version ({@code 2}, {@code 1.1}); a pattern tests the name. */
        private boolean protocol(String name) {
            if (pattern instanceof Pattern.Word w) {
                String n = name.toLowerCase(Locale.ROOT);
                return n.equals(w.word()) || n.equals("h" + w.word()) || n.equals("http/" + w.word())
                        || (n.equals("h2") && (w.word().equals("http/2") || w.word().equals("http/2.0") || w.word().equals("2.0")));
            }
            return pattern.matches(name);
        }

        private boolean host(String host) {
            if (pattern instanceof Pattern.Word w) {
                String h = host.toLowerCase(Locale.ROOT);
                return h.equals(w.word()) || h.endsWith("." + w.word());
            }
            return pattern.matches(host);
        }

        private static boolean startsWith(String text, String prefix) {
            return text.regionMatches(true, 0, prefix, 0, prefix.length());
        }

        private static Optional<String> contentType(Exchange exchange) {
            List<String> response = exchange.responseHeader("Content-Type");
            if (!response.isEmpty()) {
                return Optional.of(response.get(0));
            }
            List<String> request = exchange.requestHeader("Content-Type");
            return request.isEmpty() ? Optional.empty() : Optional.of(request.get(0));
        }

        @Override
        public String toString() {
            return field.keyword() + ":" + written(pattern, field == Field.PATH);
        }
    }

    /**
     * A pattern as a filter would be written so that it reads back the same: a regular expression with its '/'s
     * escaped; a word or glob in quotes when it holds a space, an operator, a parenthesis or a quote, or when it
     * starts with '/' and would read as a regular expression (for a path: only when it also ends with '/').
     */
    private static String written(Pattern pattern, boolean isPath) {
        if (pattern instanceof Pattern.Regex regex) {
            return "/" + regex.compiled().pattern().replace("/", "\\/") + "/";
        }
        String text = pattern.toString();
        boolean slash = text.startsWith("/") && (!isPath || text.length() > 1 && text.endsWith("/"));
        boolean plain = !text.isEmpty() && !slash
                && text.chars().noneMatch(c -> Character.isWhitespace(c) || "&|()\"\\".indexOf(c) >= 0);
        return plain ? text : "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
