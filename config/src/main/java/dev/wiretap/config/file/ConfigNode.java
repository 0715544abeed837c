package dev.wiretap.config.file;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of a configuration file, with where it was written (for error messages that name the file, line and key):
 * a mapping, a list or a scalar (kept as the text written). Immutable once read.
 */
public sealed interface ConfigNode {

    /** {@code file:line} (or the flag) this node came from. */
    String where();

    /** 1-based column of the node in its line, or 0 when unknown (a flag). */
    int column();

    record Mapping(String where, int column, LinkedHashMap<String, Entry> entries) implements ConfigNode {
    }

    /** One key of a mapping, with where the key itself was written. */
    record Entry(String key, String where, int column, ConfigNode value) {
    }

    record Sequence(String where, int column, List<ConfigNode> items) implements ConfigNode {
    }

    /** A scalar as written ({@code null} for YAML's null, {@code ~} or an empty value). */
    record Scalar(String where, int column, String text) implements ConfigNode {
        public boolean isNull() {
            return text == null;
        }
    }

    /** A short name of the node's kind, for errors ("a list", "a mapping", "a value"). */
    default String kind() {
        return switch (this) {
            case Mapping m -> "a mapping";
            case Sequence s -> "a list";
            case Scalar s -> s.isNull() ? "nothing" : "a value";
        };
    }

    static Map<String, Entry> empty() {
        return new LinkedHashMap<>();
    }
}
