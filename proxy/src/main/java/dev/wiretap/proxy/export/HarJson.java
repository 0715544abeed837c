package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Typed values out of Jackson's streaming parser for {@link HarReader}, each where the format puts it or not at all: a
 * value of the wrong type is skipped whole (the parser stays in step) and noted as a problem with its JSON path
 * ({@code /log/entries/3/request/url: a number where a string belongs}). Objects and arrays are walked field by field
 * and item by item, and whatever the caller does not take is skipped without being read into memory. Strings come
 * through {@link HarInput}, which cut the over-long ones; {@link #wasCut} says whether the last one was.
 *
 * <p>Mutable; for the one thread reading the file.
 */
final class HarJson {

    /** Reads the value of one field; returns false to have it skipped. */
    interface Field {
        boolean read(String name) throws IOException;
    }

    /** Reads one item of an array. */
    interface Item {
        void read() throws IOException;
    }

    private final JsonParser parser;
    private final HarInput input;
    /** Problems kept at most per entry; the rest are counted, so that no entry's problems take the memory. */
    private static final int MAX_PROBLEMS = 20;

    private final List<String> problems = new ArrayList<>();
    private int moreProblems;
    private long lastCut = -1;

    HarJson(JsonParser parser, HarInput input) {
        this.parser = parser;
        this.input = input;
    }

    JsonParser parser() {
        return parser;
    }

    /** Where the parser is, as a JSON pointer ({@code /log/entries/3/request}). */
    String path() {
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        return pointer.isEmpty() ? "/" : pointer;
    }

    /** Notes a problem at the current value. */
    void problem(String what) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(path() + ": " + what);
        } else {
            moreProblems++;
        }
    }

    /** The problems noted since the last call, and forgets them. */
    List<String> takeProblems() {
        List<String> taken = new ArrayList<>(problems);
        if (moreProblems > 0) {
            taken.add(moreProblems + " more problems");
        }
        problems.clear();
        moreProblems = 0;
        return taken;
    }

    /**
     * Walks the object the parser is at, handing each field's name to {@code field} with the parser at its value. A value
     * that is not an object is skipped and noted; returns whether there was an object.
     */
    boolean object(Field field) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            wrongType("an object");
            return false;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            parser.nextToken();
            if (!field.read(name)) {
                parser.skipChildren();
            }
        }
        return true;
    }

    /**
     * Walks the array the parser is at, handing at most {@code max} items to {@code item} with the parser at each; the
     * rest are skipped. Returns how many were skipped, or -1 when the value is not an array (skipped and noted).
     */
    int array(int max, Item item) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            wrongType("an array");
            return -1;
        }
        int seen = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (seen++ < max) {
                item.read();
            } else {
                parser.skipChildren();
            }
        }
        return Math.max(0, seen - max);
    }

    /** A string (null reads as absent), at most {@code maxChars} long (longer ones are noted and cut). */
    Optional<String> string(int maxChars) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            return Optional.empty();
        }
        if (token != JsonToken.VALUE_STRING) {
            wrongType("a string");
            return Optional.empty();
        }
        // Read first: until then the parser may not have taken in the string's end, and the cut is known only there.
        String text = parser.getText();
        OptionalLong cut = input.cutLength(parser.currentTokenLocation().getByteOffset());
        lastCut = cut.orElse(-1);
        if (text.length() > maxChars) {
            problem("longer than the " + maxChars + " characters wiretap reads here; cut");
            return Optional.of(text.substring(0, maxChars));
        }
        return Optional.of(text);
    }

    /** For the last string read: its length in the file when {@link HarInput} cut it short, else -1. */
    long lastCutLength() {
        return lastCut;
    }

    boolean wasCut() {
        return lastCut >= 0;
    }

    /** A number (also written as a string of digits, as some writers do); null, or anything else, reads as absent. */
    OptionalDouble number() throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
            double value = parser.getDoubleValue();
            return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                double value = Double.parseDouble(parser.getText().strip());
                return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
            } catch (NumberFormatException e) {
                problem("'" + abbreviated(parser.getText()) + "' where a number belongs");
                return OptionalDouble.empty();
            }
        }
        if (token != JsonToken.VALUE_NULL) {
            wrongType("a number");
        }
        return OptionalDouble.empty();
    }

    /** A boolean; anything else reads as false. */
    boolean bool() throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (token != JsonToken.VALUE_FALSE && token != JsonToken.VALUE_NULL) {
            wrongType("true or false");
        }
        return false;
    }

    private void wrongType(String wanted) throws IOException {
        problem(describe(parser.currentToken()) + " where " + wanted + " belongs");
        parser.skipChildren();
    }

    static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
