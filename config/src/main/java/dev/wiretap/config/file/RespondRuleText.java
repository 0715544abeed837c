package dev.wiretap.config.file;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A rule that answers with a {@code respond:} action, as text for a config file: comment lines, then one item of the
 * {@code rules:} list, at indentation 0 ({@link RulesBlock} indents it as the file's other rules are). Every value is
 * written so that the loader reads back exactly what is given here ({@link YamlScalar}). Immutable.
 *
 * <pre>
 * # from flow 12: GET https://api.example.com/user?id=1, 200
 * - name: mock flow 12
 *   match: 'method:GET host:api.example.com path:/^\/user\?id=1$/'
 *   respond:
 *     status: 200
 *     headers:
 *       Content-Type: application/json
 *     body: '{"id": 1}'
 * </pre>
 *
 * @param name     the rule's name
 * @param match    its filter, as the filter language reads it
 * @param status   the answer's status
 * @param headers  the answer's fields in order, one per name (a respond rule's fields are a mapping)
 * @param body     the answer's body: none, inline text, or a file beside the config
 * @param comments lines said above the rule, without the {@code #}
 */
public record RespondRuleText(String name, String match, int status, List<Map.Entry<String, String>> headers, Body body,
                              List<String> comments) {

    /** Where the answer's body is. */
    public sealed interface Body {
        /** No body. */
        record None() implements Body {
        }

        /** Text written into the rule ({@code body:}). */
        record Inline(String text) implements Body {
        }

        /** A file the loader reads, its path relative to the config file's directory ({@code body_file:}). */
        record File(String path) implements Body {
        }
    }

    public RespondRuleText {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(body, "body");
        headers = List.copyOf(headers);
        comments = List.copyOf(comments);
    }

    /** The comment lines and the list item, each line ending in a newline. */
    public String yaml() {
        StringBuilder sb = new StringBuilder(256);
        for (String comment : comments) {
            sb.append("# ").append(comment.replace('\n', ' ').replace('\r', ' ')).append('\n');
        }
        sb.append("- name: ").append(YamlScalar.of(name)).append('\n');
        sb.append("  match: ").append(YamlScalar.of(match)).append('\n');
        sb.append("  respond:\n");
        sb.append("    status: ").append(status).append('\n');
        if (!headers.isEmpty()) {
            sb.append("    headers:\n");
            for (Map.Entry<String, String> field : headers) {
                sb.append("      ").append(YamlScalar.of(field.getKey())).append(": ").append(YamlScalar.of(field.getValue())).append('\n');
            }
        }
        switch (body) {
            case Body.Inline inline -> sb.append("    body: ").append(YamlScalar.value(inline.text(), 4)).append('\n');
            case Body.File file -> sb.append("    body_file: ").append(YamlScalar.of(file.path())).append('\n');
            case Body.None none -> { }
        }
        return sb.toString();
    }
}
