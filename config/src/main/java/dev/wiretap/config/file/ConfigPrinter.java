package dev.wiretap.config.file;

import dev.wiretap.config.Settings;
import dev.wiretap.config.UpstreamProxies;
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
        print(settings, sb, o -> "# " + sources.getOrDefault(o.key(), "default") + hidden(o, settings));
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

    /**
     * Every option with its default and what it does, then an example of each kind of rule (commented out): a file to
     * start from. Read back, it gives the defaults.
     */
    public static String defaults() {
        StringBuilder sb = new StringBuilder("""
                # wiretap configuration: every option with its default. Save it as ~/.wiretap/config.yaml (or pass
                # --config FILE), keep what you change and delete the rest. wiretap config shows what is in force.
                # Durations: 500ms, 30s, 2m, 1h. Sizes (bytes): 512, 64k, 1m (k, m, g are powers of 1024).

                """);
        print(Settings.defaults(), sb, null);
        sb.append('\n').append(RULES_EXAMPLE).append("rules: []\n");
        return sb.toString();
    }

    /**
     * One rule of each kind, commented out, for {@link #defaults()}. Uncommented, it loads once the files it maps
     * to exist (./mocks/user.json and ./static beside the configuration file).
     */
    static final String RULES_EXAMPLE = """
            # Rules change matching traffic, in file order. match: is a filter: host:, path:, url:, method:, status:
            # (404, 5xx), header:NAME[=VALUE], reqheader:, resheader:, type:, body:; combined with a space or &
            # (and), | (or), ! (not) and parentheses; values are words, globs (*, ?) or /regular expressions/.
            # Request header actions sit at the rule's top level, response ones under response:. Paths are relative
            # to this file. An edit applies to new exchanges without a restart. For example:
            # rules:
            #   - name: add-auth
            #     match: host:api.example.com
            #     set_headers: {Authorization: Bearer dev-token}
            #     add_headers: {X-Debug: "1"}
            #     remove_headers: [Cookie]
            #     response:
            #       set_headers: {Cache-Control: no-store}
            #       add_headers: {X-Served-Via: wiretap}
            #       remove_headers: [Set-Cookie]
            #   - name: staging
            #     match: host:www.example.com path:/api/*
            #     map_remote: {to: http://staging.example.com/v2, strip: /api}
            #   - name: user-mock
            #     match: host:api.example.com path:/user
            #     map_local: ./mocks/user.json
            #   - name: assets
            #     match: host:cdn.example.com
            #     map_local: {path: ./static, strip: /assets}
            #   - name: health
            #     match: path:/health
            #     respond: {status: 200, headers: {Content-Type: application/json}, body: '{"ok": true}'}
            #   - name: no-ads
            #     match: host:ads.example.com | host:*.doubleclick.example
            #     block: 403
            #   - name: no-tracker
            #     match: host:tracker.example.com
            #     block: drop
            #   - name: slow-api
            #     match: host:api.example.com method:POST
            #     delay: 500ms
            #   - name: slow-downloads
            #     match: host:downloads.example.com
            #     throttle: {up: 16k, down: 64k}
            """;

    /**
     * Says so when a value is shown without its secret (an upstream proxy's password, the one clients must give), so it
     * does not read back whole.
     */
    private static String hidden(Option o, Settings settings) {
        boolean hides = o.key().equals("upstream_proxy") && settings.upstreamProxies() instanceof UpstreamProxies.Fixed f
                && !f.proxy().password().isEmpty()
                || o.key().equals("clients.auth") && settings.clients().requiresAuth();
        return hides ? " (password not shown)" : "";
    }

    private interface Comment {
        String of(Option option);
    }

    /**
     * Every option in {@link Options} order, grouped in sections. With {@code comment}, each line ends in its comment
     * (the value's source); without, each key has its doc and type on the line above.
     */
    private static void print(Settings settings, StringBuilder sb, Comment comment) {
        String section = "";
        for (Option o : Options.all()) {
            int dot = o.key().indexOf('.');
            String s = dot < 0 ? "" : o.key().substring(0, dot);
            String name = dot < 0 ? o.key() : o.key().substring(dot + 1);
            String indent = s.isEmpty() ? "" : "  ";
            if (!s.equals(section)) {
                if (!s.isEmpty()) {
                    sb.append(comment == null ? "\n" : "").append(s).append(":\n");
                }
                section = s;
            }
            String shown = o.show().apply(settings);
            String value = o.type().startsWith("list") || o.type().startsWith("map") ? shown : yaml(shown);
            if (comment == null) {
                sb.append(indent).append("# ").append(o.doc()).append(" (").append(o.type()).append(")\n");
            }
            sb.append(indent).append(name).append(": ").append(value);
            if (comment != null) {
                sb.append("  ").append(comment.of(o));
            }
            sb.append('\n');
        }
    }

    /** A value as YAML: quoted when plain YAML would read it otherwise; empty as ~. */
    static String yaml(String value) {
        if (value.isEmpty()) {
            return "~";
        }
        boolean plain = value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._/-*:".indexOf(c) >= 0)
                && !value.startsWith("*") && !value.startsWith("-") && !value.endsWith(":") && !value.contains(": ")
                && !value.equals("~") && !value.equalsIgnoreCase("null");
        return plain ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * One rule as an item of the file's {@code rules:} list ({@code  - name: ...} and its lines, indented by two), as
     * {@code wiretap config} prints it: for showing the rules in force elsewhere (the web UI).
     */
    public static String ruleYaml(Rule rule) {
        StringBuilder sb = new StringBuilder();
        rule(rule, sb);
        return sb.toString();
    }

    /** A rule as the file would hold it: header changes grouped per action and side, other actions one per line. */
    private static void rule(Rule rule, StringBuilder sb) {
        sb.append("  - name: ").append(yaml(rule.name())).append('\n');
        String match = rule.match().toString();
        sb.append("    match: ").append(match.isEmpty() ? "\"\"" : yaml(match)).append('\n');
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
                case RuleAction.MapRemote m -> "map_remote: {to: " + yaml(m.target().toString()) + strip(m.stripPrefix()) + "}";
                case RuleAction.MapLocal m -> "map_local: {path: " + yaml(m.path().toString()) + strip(m.stripPrefix()) + "}";
                case RuleAction.Respond r -> "respond: {status: " + r.status() + ", headers: " + headers(r.headers())
                        + (r.body().length == 0 ? "" : ", body: " + yaml(new String(r.body(), StandardCharsets.UTF_8))) + "}";
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

    private static String strip(String prefix) {
        return prefix.isEmpty() ? "" : ", strip: " + yaml(prefix);
    }

    private static String headers(Map<String, String> headers) {
        StringBuilder sb = new StringBuilder("{");
        headers.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(yaml(k)).append(": ").append(yaml(v)));
        return sb.append('}').toString();
    }

}
