package dev.wiretap.config.file;

import dev.wiretap.config.FieldChars;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.config.filter.Suggestion;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.config.rule.RuleAction.Side;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code rules:} list of a configuration file:
 * <pre>
 * rules:
 *   - name: auth for the API             # optional
 *     match: host:api.example.com        # a filter (required)
 *     set_headers: {Authorization: Bearer abc}
 *     remove_headers: [Cookie]
 *     response: {set_headers: {Cache-Control: no-store}}
 *   - match: host:www.example.com path:/api/*
 *     map_remote: https://staging.example.com:8443     # or {to: https://staging.example.com/v2, strip: /api}
 *   - match: path:/static/*
 *     map_local: {path: ./fixtures, strip: /static}
 *   - match: path:/health
 *     respond: {status: 200, headers: {Content-Type: text/plain}, body: ok}
 *   - match: host:*.tracker.example
 *     block: 403                         # or: block: drop
 *   - match: host:slow.example.com
 *     delay: 300ms
 *     throttle: {up: 16k, down: 64k}     # bytes per second
 * </pre>
 * Request header actions sit at the rule's top level; response ones under {@code response}. Paths are relative to
 * the configuration file's directory. Every fault names the file, the line and the key.
 */
final class RulesReader {

    private static final List<String> RULE_KEYS = List.of("name", "match", "set_headers", "add_headers", "remove_headers",
            "response", "map_remote", "map_local", "respond", "block", "delay", "throttle");
    private static final List<String> RESPONSE_KEYS = List.of("set_headers", "add_headers", "remove_headers");

    private final Path baseDir;

    RulesReader(Path baseDir) {
        this.baseDir = baseDir;
    }

    List<Rule> read(ConfigNode node) throws ConfigError {
        if (node instanceof ConfigNode.Scalar s && s.isNull()) {
            return List.of();
        }
        if (!(node instanceof ConfigNode.Sequence seq)) {
            throw new ConfigError(node.where(), "rules", "expected a list of rules, found " + node.kind());
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            rules.add(rule(seq.items().get(i), "rules[" + (i + 1) + "]", i + 1));
        }
        return rules;
    }

    private Rule rule(ConfigNode node, String key, int number) throws ConfigError {
        if (!(node instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(node.where(), key, "expected a rule (a mapping with match: and actions), found " + node.kind());
        }
        checkKeys(map, key, RULE_KEYS);
        ConfigNode.Entry nameEntry = map.entries().get("name");
        String name = nameEntry == null ? "rule " + number : Values.text(nameEntry.value(), key + ".name");
        ConfigNode.Entry match = map.entries().get("match");
        if (match == null) {
            throw new ConfigError(map.where(), key, "a rule needs match: (a filter, e.g. match: host:api.example.com)");
        }
        Filter filter = filter(match.value(), key + ".match");
        List<RuleAction> actions = new ArrayList<>();
        for (ConfigNode.Entry e : map.entries().values()) {
            String k = key + "." + e.key();
            switch (e.key()) {
                case "set_headers" -> headers(e.value(), k, Side.REQUEST, false, actions);
                case "add_headers" -> headers(e.value(), k, Side.REQUEST, true, actions);
                case "remove_headers" -> removals(e.value(), k, Side.REQUEST, actions);
                case "response" -> response(e.value(), k, actions);
                case "map_remote" -> actions.add(mapRemote(e.value(), k));
                case "map_local" -> actions.add(mapLocal(e.value(), k));
                case "respond" -> actions.add(respond(e.value(), k));
                case "block" -> actions.add(block(e.value(), k));
                case "delay" -> actions.add(new RuleAction.Delay(Values.duration(e.value(), k)));
                case "throttle" -> actions.add(throttle(e.value(), k));
                default -> { } // name and match
            }
        }
        if (actions.isEmpty()) {
            throw new ConfigError(map.where(), key, "a rule needs at least one action: " + String.join(", ", RuleAction.KEYS));
        }
        long answers = actions.stream().filter(a -> a instanceof RuleAction.MapLocal || a instanceof RuleAction.Respond
                || a instanceof RuleAction.Block).count();
        if (answers > 1) {
            throw new ConfigError(map.where(), key, "map_local, respond and block each answer the request: use one of them");
        }
        return new Rule(name, filter, actions);
    }

    private static Filter filter(ConfigNode node, String key) throws ConfigError {
        String text = Values.text(node, key);
        try {
            return Filter.parse(text);
        } catch (FilterException e) {
            String column = node.column() > 0 ? ", column " + (node.column() + e.column() - 1) : "";
            throw new ConfigError(node.where() + column.replace(", column ", ":"), key, "invalid filter '" + text + "': " + e.getMessage());
        }
    }

    private static void headers(ConfigNode node, String key, Side side, boolean add, List<RuleAction> actions) throws ConfigError {
        if (!(node instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(node.where(), key, "expected fields as a mapping (Name: value), found " + node.kind());
        }
        for (ConfigNode.Entry e : map.entries().values()) {
            String value = e.value() instanceof ConfigNode.Scalar s && s.isNull() ? "" : Values.text(e.value(), key + "." + e.key());
            try {
                checkField(e.key(), value);
                if (!key.endsWith(".headers")) { // respond's own fields: wiretap frames its body whatever they say
                    checkChangeable(e.key());
                }
            } catch (IllegalArgumentException ex) {
                throw new ConfigError(e.where(), key + "." + e.key(), ex.getMessage());
            }
            actions.add(add ? new RuleAction.AddHeader(side, e.key(), value) : new RuleAction.SetHeader(side, e.key(), value));
        }
    }

    private static void removals(ConfigNode node, String key, Side side, List<RuleAction> actions) throws ConfigError {
        for (String name : Values.texts(node, key)) {
            try {
                checkField(name, "");
                checkChangeable(name);
            } catch (IllegalArgumentException ex) {
                throw new ConfigError(node.where(), key, ex.getMessage());
            }
            actions.add(new RuleAction.RemoveHeader(side, name));
        }
    }

    private static void response(ConfigNode node, String key, List<RuleAction> actions) throws ConfigError {
        if (!(node instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(node.where(), key, "expected response header actions (set_headers, add_headers, remove_headers)");
        }
        checkKeys(map, key, RESPONSE_KEYS);
        for (ConfigNode.Entry e : map.entries().values()) {
            switch (e.key()) {
                case "set_headers" -> headers(e.value(), key + ".set_headers", Side.RESPONSE, false, actions);
                case "add_headers" -> headers(e.value(), key + ".add_headers", Side.RESPONSE, true, actions);
                default -> removals(e.value(), key + ".remove_headers", Side.RESPONSE, actions);
            }
        }
    }

    private static RuleAction mapRemote(ConfigNode node, String key) throws ConfigError {
        String strip = "";
        if (node instanceof ConfigNode.Mapping map) {
            checkKeys(map, key, List.of("to", "strip"));
            ConfigNode.Entry to = map.entries().get("to");
            if (to == null) {
                throw new ConfigError(map.where(), key, "map_remote needs to: (the URL to send the requests to)");
            }
            ConfigNode.Entry s = map.entries().get("strip");
            strip = s == null ? "" : Values.text(s.value(), key + ".strip");
            node = to.value();
            key = key + ".to";
        }
        String text = Values.text(node, key);
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new ConfigError(node.where(), key, "'" + text + "' is not an http:// or https:// URL with a host");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
                throw new ConfigError(node.where(), key, "'" + text + "': only scheme, host, port and a path prefix can be mapped");
            }
            return new RuleAction.MapRemote(uri, strip);
        } catch (URISyntaxException e) {
            throw new ConfigError(node.where(), key, "'" + text + "' is not a URL: " + e.getReason());
        }
    }

    private RuleAction mapLocal(ConfigNode node, String key) throws ConfigError {
        String pathText;
        String strip = "";
        if (node instanceof ConfigNode.Mapping map) {
            checkKeys(map, key, List.of("path", "strip"));
            ConfigNode.Entry path = map.entries().get("path");
            if (path == null) {
                throw new ConfigError(map.where(), key, "map_local needs path: (a file, or a directory)");
            }
            pathText = Values.text(path.value(), key + ".path");
            ConfigNode.Entry s = map.entries().get("strip");
            strip = s == null ? "" : Values.text(s.value(), key + ".strip");
        } else {
            pathText = Values.text(node, key);
        }
        Path path = baseDir.resolve(pathText).normalize();
        if (!Files.exists(path)) {
            throw new ConfigError(node.where(), key, "no such file or directory: " + path);
        }
        return new RuleAction.MapLocal(path, strip, relativeToConfig(path));
    }

    /** {@code path} relative to the config file's directory, as a client may be shown it. */
    private String relativeToConfig(Path path) {
        Path base = baseDir.toAbsolutePath().normalize();
        try {
            String relative = base.relativize(path.toAbsolutePath().normalize()).toString();
            return relative.isEmpty() ? "." : relative;
        } catch (IllegalArgumentException e) {
            return path.getFileName() == null ? "." : path.getFileName().toString(); // another root (a Windows drive)
        }
    }

    private RuleAction respond(ConfigNode node, String key) throws ConfigError {
        if (!(node instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(node.where(), key, "expected {status: ..., headers: {...}, body: ...}, found " + node.kind());
        }
        checkKeys(map, key, List.of("status", "headers", "body", "body_file"));
        int status = 200;
        ConfigNode.Entry s = map.entries().get("status");
        if (s != null) {
            status = Values.integer(s.value(), key + ".status");
            if (status < 200 || status > 599) {
                throw new ConfigError(s.where(), key + ".status", status + " is not a final status (200 to 599)");
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        ConfigNode.Entry h = map.entries().get("headers");
        if (h != null) {
            List<RuleAction> fields = new ArrayList<>();
            headers(h.value(), key + ".headers", Side.RESPONSE, false, fields);
            for (RuleAction a : fields) {
                RuleAction.SetHeader set = (RuleAction.SetHeader) a;
                headers.put(set.name(), set.value());
            }
        }
        byte[] body = new byte[0];
        ConfigNode.Entry b = map.entries().get("body");
        ConfigNode.Entry bf = map.entries().get("body_file");
        if (b != null && bf != null) {
            throw new ConfigError(map.where(), key, "give body or body_file, not both");
        }
        if (b != null) {
            body = Values.text(b.value(), key + ".body").getBytes(StandardCharsets.UTF_8);
        } else if (bf != null) {
            Path file = baseDir.resolve(Values.text(bf.value(), key + ".body_file")).normalize();
            try {
                body = Files.readAllBytes(file);
            } catch (java.io.IOException e) {
                throw new ConfigError(bf.where(), key + ".body_file", "cannot read " + file + ": " + e.getMessage());
            }
        }
        return new RuleAction.Respond(status, headers, body);
    }

    private static RuleAction block(ConfigNode node, String key) throws ConfigError {
        String text = Values.text(node, key).strip().toLowerCase(Locale.ROOT);
        if (text.equals("drop")) {
            return new RuleAction.Block(Optional.empty());
        }
        int status = Values.integer(node, key);
        if (status < 400 || status > 599) {
            throw new ConfigError(node.where(), key, status + " is not an error status (400 to 599); or write block: drop");
        }
        return new RuleAction.Block(Optional.of(status));
    }

    private static RuleAction throttle(ConfigNode node, String key) throws ConfigError {
        if (node instanceof ConfigNode.Mapping map) {
            checkKeys(map, key, List.of("up", "down"));
            ConfigNode.Entry up = map.entries().get("up");
            ConfigNode.Entry down = map.entries().get("down");
            long u = up == null ? 0 : Values.size(up.value(), key + ".up");
            long d = down == null ? 0 : Values.size(down.value(), key + ".down");
            if (u == 0 && d == 0) {
                throw new ConfigError(map.where(), key, "throttle needs up:, down: or both (bytes per second)");
            }
            return new RuleAction.Throttle(u, d);
        }
        long both = Values.size(node, key);
        if (both == 0) {
            throw new ConfigError(node.where(), key, "a throttle of 0 bytes per second would stop the traffic");
        }
        return new RuleAction.Throttle(both, both);
    }

    /** Names a field the way the proxy would refuse it, so a broken rule fails at load, not on traffic. */
    /**
     * Applies the codec's own field rules ({@link FieldChars}, RFC 9110 section 5.5), so that a field the file
     * gives is one wiretap can send: the loader refuses what every matching exchange would otherwise fail on.
     */
    private static void checkField(String name, String value) {
        if (!FieldChars.isToken(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid field name (letters, digits and !#$%&'*+-.^_`|~)");
        }
        int bad = FieldChars.firstInvalidValueChar(value);
        if (bad >= 0) {
            throw new IllegalArgumentException(String.format("the value of %s holds U+%04X at character %d, which a field may"
                    + " not hold (a field value is visible characters, spaces and tabs, RFC 9110 section 5.5)",
                    name, (int) value.charAt(bad), bad + 1));
        }
    }

    /** Framing is wiretap's to decide from the body: a rule changing it would desynchronise the connection. */
    private static void checkChangeable(String name) {
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException(name + " frames the body, which wiretap does itself: a rule cannot change it");
        }
    }

    private static void checkKeys(ConfigNode.Mapping map, String key, List<String> known) throws ConfigError {
        for (ConfigNode.Entry e : map.entries().values()) {
            if (!known.contains(e.key())) {
                throw new ConfigError(e.where(), key + "." + e.key(), "unknown key"
                        + Suggestion.nearest(e.key(), known).map(s -> " (did you mean " + s + "?)").orElse("")
                        + "; known here: " + String.join(", ", known));
            }
        }
    }
}
