package dev.wiretap.config.file;

import dev.wiretap.config.Settings;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Writes settings as a configuration file: {@code wiretap config} (the effective settings, each with where its value
 * came from) and {@code wiretap config --defaults} (every option with its default and what it does, a file to start
 * from). The output reads back with {@link ConfigLoader}.
 */
public final class ConfigPrinter {

    private ConfigPrinter() {
    }

    /** The effective settings, each key followed by its source ({@code # default}, {@code # config.yaml:12}, {@code # --set}). */
    public static String effective(Settings settings, Map<String, String> sources) {
        StringBuilder sb = new StringBuilder("# wiretap's effective settings; '# where' says where each value came from\n");
        print(settings, sb, (o, value) -> "# " + sources.getOrDefault(o.key(), "default"));
        sb.append("rules:");
        if (settings.rules().isEmpty()) {
            sb.append(" []  # ").append(sources.getOrDefault("rules", "default")).append('\n');
        } else {
            sb.append("  # ").append(sources.getOrDefault("rules", "default")).append('\n');
            for (Rule rule : settings.rules()) {
                rule(rule, sb);
            }
        }
        return sb.toString();
    }

    /** Every option with its default and what it does: a commented file to start from. */
    public static String defaults() {
        StringBuilder sb = new StringBuilder("""
                # wiretap configuration: every option with its default. Save as ~/.wiretap/config.yaml (or pass
                # --config FILE), keep what you change, delete the rest. Durations: 500ms, 30s, 2m. Sizes: 512, 64k, 1m.
                """);
        print(Settings.defaults(), sb, (o, value) -> "# " + o.doc() + " (" + o.type() + ")");
        sb.append("""
                # Rules apply in order to the exchanges their filter (match:) selects. For example:
                # rules:
                #   - name: auth for the API
                #     match: host:api.example.com
                #     set_headers: {Authorization: Bearer abc123}
                #     response: {remove_headers: [Set-Cookie]}
                #   - match: host:www.example.com path:/api/*
                #     map_remote: https://staging.example.com/api
                #   - match: path:/static/*
                #     map_local: {path: ./fixtures, strip: /static}
                #   - match: path:/health
                #     respond: {status: 200, headers: {Content-Type: text/plain}, body: ok}
                #   - match: host:*.tracker.example
                #     block: 403
                #   - match: host:slow.example.com
                #     delay: 300ms
                #     throttle: {up: 16k, down: 64k}
                rules: []
                """);
        return sb.toString();
    }

    private interface Comment {
        String of(Option option, String value);
    }

    private static void print(Settings settings, StringBuilder sb, Comment comment) {
        String section = "";
        for (Option o : Options.all()) {
            int dot = o.key().indexOf('.');
            String s = dot < 0 ? "" : o.key().substring(0, dot);
            String name = dot < 0 ? o.key() : o.key().substring(dot + 1);
            if (!s.equals(section)) {
                if (!s.isEmpty()) {
                    sb.append(s).append(":\n");
                }
                section = s;
            }
            String value = yaml(o.show().apply(settings));
            sb.append(s.isEmpty() ? "" : "  ").append(name).append(": ").append(value)
                    .append("  ").append(comment.of(o, value)).append('\n');
        }
    }

    /** A value as YAML: quoted when plain YAML would read it otherwise; lists as flow lists; empty as ~. */
    static String yaml(String value) {
        if (value.isEmpty()) {
            return "~";
        }
        if (value.startsWith("[")) {
            return value;
        }
        boolean plain = value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._/-*:".indexOf(c) >= 0)
                && !value.startsWith("*") && !value.contains(": ");
        return plain ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A rule as the file would hold it: header changes grouped per action and side, other actions one per line. */
    private static void rule(Rule rule, StringBuilder sb) {
        sb.append("  - name: ").append(yaml(rule.name())).append('\n');
        sb.append("    match: ").append(yaml(rule.match().toString())).append('\n');
        for (RuleAction.Side side : RuleAction.Side.values()) {
            String indent = side == RuleAction.Side.REQUEST ? "    " : "      ";
            StringBuilder group = new StringBuilder();
            fieldGroup(rule, side, "set_headers", indent, group);
            fieldGroup(rule, side, "add_headers", indent, group);
            List<String> removed = rule.actions().stream()
                    .filter(a -> a instanceof RuleAction.RemoveHeader r && r.side() == side)
                    .map(a -> yaml(((RuleAction.RemoveHeader) a).name())).toList();
            if (!removed.isEmpty()) {
                group.append(indent).append("remove_headers: [").append(String.join(", ", removed)).append("]\n");
            }
            if (!group.isEmpty()) {
                sb.append(side == RuleAction.Side.RESPONSE ? "    response:\n" : "").append(group);
            }
        }
        for (RuleAction a : rule.actions()) {
            String line = switch (a) {
                case RuleAction.MapRemote m -> "map_remote: {to: " + yaml(m.target().toString()) + ", strip: " + yaml(m.stripPrefix()) + "}";
                case RuleAction.MapLocal m -> "map_local: {path: " + yaml(m.path().toString()) + ", strip: " + yaml(m.stripPrefix()) + "}";
                case RuleAction.Respond r -> "respond: {status: " + r.status() + ", headers: " + headers(r.headers()) + ", body: "
                        + yaml(new String(r.body(), StandardCharsets.UTF_8)) + "}";
                case RuleAction.Block b -> "block: " + b.status().map(String::valueOf).orElse("drop");
                case RuleAction.Delay d -> "delay: " + Values.formatDuration(d.latency());
                case RuleAction.Throttle t -> "throttle: {up: " + Values.formatSize(t.upBytesPerSecond()) + ", down: "
                        + Values.formatSize(t.downBytesPerSecond()) + "}";
                default -> null; // header changes: grouped above
            };
            if (line != null) {
                sb.append("    ").append(line).append('\n');
            }
        }
    }

    private static void fieldGroup(Rule rule, RuleAction.Side side, String key, String indent, StringBuilder sb) {
        StringBuilder fields = new StringBuilder();
        for (RuleAction a : rule.actions()) {
            String name = null;
            String value = null;
            if (key.equals("set_headers") && a instanceof RuleAction.SetHeader h && h.side() == side) {
                name = h.name();
                value = h.value();
            } else if (key.equals("add_headers") && a instanceof RuleAction.AddHeader h && h.side() == side) {
                name = h.name();
                value = h.value();
            }
            if (name != null) {
                fields.append(fields.isEmpty() ? "" : ", ").append(yaml(name)).append(": ").append(yaml(value));
            }
        }
        if (!fields.isEmpty()) {
            sb.append(indent).append(key).append(": {").append(fields).append("}\n");
        }
    }

    private static String headers(Map<String, String> headers) {
        StringBuilder sb = new StringBuilder("{");
        headers.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(yaml(k)).append(": ").append(yaml(v)));
        return sb.append('}').toString();
    }

}
