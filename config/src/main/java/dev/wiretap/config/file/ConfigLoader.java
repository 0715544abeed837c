package dev.wiretap.config.file;

import dev.wiretap.config.Settings;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.filter.Suggestion;
import dev.wiretap.config.rule.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the effective {@link Settings}: the defaults, then the configuration file, then the command line's own
 * flags, then {@code --set key=value}, each later one winning. Remembers where every value came from, for
 * {@code wiretap config}. A fault anywhere is a {@link ConfigError} naming the file (or flag), the line and the key;
 * nothing half-configured is ever returned. Stateless and thread-safe.
 */
public final class ConfigLoader {

    /** The config file wiretap reads when none is named: {@code config.yaml} in the config directory. */
    public static Path defaultFile() {
        return defaultFile(TlsSettings.defaultConfigDir());
    }

    /** The config file wiretap reads when none is named and {@code configDir} is its config directory. */
    public static Path defaultFile(Path configDir) {
        return configDir.resolve("config.yaml");
    }

    /** A value from the command line: {@code key} set to {@code value} (YAML text), written as {@code source}. */
    public record Override(String key, String value, String source) {
    }

    /** The result: settings, where each key's value came from, and the file read (if any). */
    public record Loaded(Settings settings, Map<String, String> sources, Optional<Path> file) {
    }

    private ConfigLoader() {
    }

    /**
     * @param file      the file to read, or empty for none
     * @param overrides the command line's values, in order (named flags first, then {@code --set})
     */
    public static Loaded load(Optional<Path> file, List<Override> overrides) throws ConfigError {
        Settings settings = Settings.defaults();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Option o : Options.all()) {
            sources.put(o.key(), "default");
        }
        sources.put("rules", "default");
        if (file.isPresent()) {
            Path path = file.get();
            ConfigNode root = YamlReader.read(path);
            settings = applyFile(settings, root, path, sources);
        }
        for (Override o : overrides) {
            try {
                ConfigNode value = YamlReader.read(o.value().isEmpty() ? "~" : o.value(), o.source());
                settings = applyKey(settings, o.key(), value, o.source(), Path.of("."));
            } catch (ConfigError e) {
                // The YAML reader numbers the lines of a flag's value ("--listen:1"): name the flag alone.
                throw e.where().startsWith(o.source() + ":") ? new ConfigError(o.source(), e.key(), e.reason()) : e;
            }
            sources.put(o.key(), o.source());
        }
        check(settings, sources);
        return new Loaded(settings, Map.copyOf(sources), file);
    }

    /**
     * Reads traffic rules from YAML text, as a config file's {@code rules:} list: either that list alone or a mapping
     * whose {@code rules:} key holds it (other keys are refused: this reads rules, not settings). For rules given in
     * code ({@code Wiretap.builder().rules(...)}).
     *
     * @param source  names the text in errors ({@code rules.yaml}, {@code <rules>})
     * @param baseDir what relative paths ({@code map_local}, {@code body_file}) are relative to
     */
    public static List<Rule> readRules(String yaml, String source, Path baseDir) throws ConfigError {
        return rulesIn(YamlReader.read(yaml, source), baseDir);
    }

    /** Reads traffic rules from a YAML file, as {@link #readRules(String, String, Path)}; paths relative to its directory. */
    public static List<Rule> readRules(Path file) throws ConfigError {
        return rulesIn(YamlReader.read(file), file.toAbsolutePath().getParent());
    }

    private static List<Rule> rulesIn(ConfigNode root, Path baseDir) throws ConfigError {
        if (root instanceof ConfigNode.Mapping map) {
            for (ConfigNode.Entry e : map.entries().values()) {
                if (!e.key().equals("rules")) {
                    throw new ConfigError(e.where(), e.key(), "expected rules: (a list of rules) and nothing else");
                }
            }
            ConfigNode.Entry rules = map.entries().get("rules");
            return rules == null ? List.of() : new RulesReader(baseDir).read(rules.value());
        }
        return new RulesReader(baseDir).read(root);
    }

    /** Parses {@code key=value} as given to {@code --set}. */
    public static Override parseSet(String text) throws ConfigError {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new ConfigError("--set " + text, "", "expected key=value, e.g. --set timeouts.client_idle=30s");
        }
        return new Override(text.substring(0, eq).strip(), text.substring(eq + 1), "--set " + text.substring(0, eq).strip());
    }

    private static Settings applyFile(Settings settings, ConfigNode root, Path file, Map<String, String> sources) throws ConfigError {
        if (!(root instanceof ConfigNode.Mapping map)) {
            throw new ConfigError(root.where(), "", "expected the settings as a mapping (key: value), found " + root.kind());
        }
        Path base = file.toAbsolutePath().getParent();
        for (Flat flat : flatten(map, "")) {
            settings = applyKey(settings, flat.key, flat.value, flat.where, base);
            sources.put(flat.key, flat.where);
        }
        return settings;
    }

    private record Flat(String key, ConfigNode value, String where) {
    }

    /** Nested mappings become dotted keys ({@code timeouts: {client_idle: 5s}} is {@code timeouts.client_idle}). */
    private static List<Flat> flatten(ConfigNode.Mapping map, String prefix) throws ConfigError {
        List<Flat> flat = new ArrayList<>();
        for (ConfigNode.Entry e : map.entries().values()) {
            String key = prefix + e.key();
            if (e.value() instanceof ConfigNode.Mapping inner && isSection(key)) {
                flat.addAll(flatten(inner, key + "."));
            } else {
                flat.add(new Flat(key, e.value(), e.where()));
            }
        }
        return flat;
    }

    private static boolean isSection(String key) {
        String prefix = key + ".";
        return Options.all().stream().anyMatch(o -> o.key().startsWith(prefix));
    }

    private static Settings applyKey(Settings settings, String key, ConfigNode value, String where, Path base) throws ConfigError {
        if (key.equals("rules")) {
            return settings.withRules(new RulesReader(base).read(value));
        }
        Option option = Options.find(key).orElseThrow(() -> new ConfigError(where, key, "unknown key"
                + Suggestion.nearest(key, Options.keys()).map(s -> " (did you mean " + s + "?)").orElse("")
                + (isSection(key) ? "; it is a section: give its keys, e.g. " + firstKeyUnder(key) : "")));
        try {
            return option.apply().apply(settings, value, key);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(value.where(), key, e.getMessage());
        }
    }

    private static String firstKeyUnder(String section) {
        return Options.all().stream().map(Option::key).filter(k -> k.startsWith(section + ".")).findFirst().orElse(section);
    }

    /** Checks that need several keys at once. */
    private static void check(Settings settings, Map<String, String> sources) throws ConfigError {
        Optional<TlsSettings.OwnCa> ca = settings.tls().ownCa();
        if (ca.isPresent()) {
            if (ca.get().certificate().toString().isEmpty() || ca.get().key().toString().isEmpty()) {
                String key = ca.get().key().toString().isEmpty() ? "tls.ca_cert" : "tls.ca_key";
                throw new ConfigError(sources.get(key), key, "tls.ca_cert and tls.ca_key go together");
            }
            for (Path p : List.of(ca.get().certificate(), ca.get().key())) {
                if (!Files.isReadable(p)) {
                    String key = p.equals(ca.get().certificate()) ? "tls.ca_cert" : "tls.ca_key";
                    throw new ConfigError(sources.get(key), key, "cannot read " + p);
                }
            }
        }
        if (settings.web().enabled() && settings.web().listen().port() != 0
                && settings.web().listen().equals(settings.listen()) && !sources.get("web.listen").equals("default")) {
            throw new ConfigError(sources.get("web.listen"), "web.listen", "the web UI and the proxy cannot share "
                    + settings.listen() + "; give the UI another port");
        }
        Optional<Path> replay = settings.replay().from();
        if (replay.isPresent() && !Files.isReadable(replay.get())) {
            throw new ConfigError(sources.get("replay.from"), "replay.from", Files.exists(replay.get())
                    ? "cannot read " + replay.get() : "no such file: " + replay.get());
        }
        for (Path p : settings.tls().trustedCerts()) {
            Optional<String> problem = CertificateFiles.problem(p);
            if (problem.isPresent()) {
                throw new ConfigError(sources.get("tls.trusted_certs"), "tls.trusted_certs", problem.get());
            }
        }
    }
}
