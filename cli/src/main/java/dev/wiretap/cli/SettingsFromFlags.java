package dev.wiretap.cli;

import dev.wiretap.config.HostPattern;
import dev.wiretap.config.TlsSettings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.YamlScalar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the command line asks for, as the {@link ConfigLoader} takes it: the config file to read ({@code --config
 * FILE}, else {@code config.yaml} in the config directory when it exists), and the named flags and {@code --set}
 * values as overrides, each with its flag as the source. The loader applies them in the order defaults, file, flags,
 * {@code --set}, so a flag beats the file and {@code --set} beats both. Kept for the run: a reload of the file after an
 * edit applies the same overrides again. Immutable.
 *
 * @param file      the config file to read, or empty for none
 * @param overrides the flags' values then the {@code --set} ones, in order
 */
record SettingsFromFlags(Optional<Path> file, List<ConfigLoader.Override> overrides) {

    SettingsFromFlags {
        overrides = List.copyOf(overrides);
    }

    /**
     * Reads {@code main}'s parsed flags, and a subcommand's {@code --config} and {@code --set} (which come after
     * wiretap's own); a malformed {@code --set} is a {@link ConfigError}.
     */
    static SettingsFromFlags of(Main main, ConfigFlags subcommand) throws ConfigError {
        List<ConfigLoader.Override> overrides = new ArrayList<>();
        if (main.listen != null) {
            overrides.add(flag("listen", quoted(main.listen.toString()), "--listen"));
        }
        if (main.web != null) {
            overrides.add(flag("web.enabled", "true", "--web"));
            overrides.add(flag("web.listen", quoted(main.web.toString()), "--web"));
        }
        if (main.noWeb) {
            overrides.add(flag("web.enabled", "false", "--no-web"));
        }
        if (main.upstreamProxy != null) {
            overrides.add(flag("upstream_proxy", quoted(main.upstreamProxy.configValue()), "--upstream-proxy"));
        }
        if (main.proxyAuth != null) {
            overrides.add(flag("clients.auth", quoted(main.proxyAuth), "--proxy-auth"));
        }
        if (main.noVia) {
            overrides.add(flag("via", "false", "--no-via"));
        }
        if (main.noIntercept) {
            overrides.add(flag("tls.intercept", "false", "--no-intercept"));
        }
        if (!main.passthrough.isEmpty()) {
            overrides.add(flag("tls.passthrough", list(main.passthrough.stream().map(HostPattern::toString).toList()), "--passthrough"));
        }
        if (main.insecureUpstream) {
            overrides.add(flag("tls.insecure_upstream", "true", "--insecure-upstream"));
        }
        if (!main.upstreamCa.isEmpty()) {
            overrides.add(flag("tls.trusted_certs", list(main.upstreamCa.stream().map(Path::toString).toList()), "--upstream-ca"));
        }
        if (main.caCert != null) {
            overrides.add(flag("tls.ca_cert", quoted(main.caCert.toString()), "--ca-cert"));
        }
        if (main.caKey != null) {
            overrides.add(flag("tls.ca_key", quoted(main.caKey.toString()), "--ca-key"));
        }
        if (main.replayFrom != null) {
            overrides.add(flag("replay.from", quoted(main.replayFrom.toString()), "--replay-from"));
        }
        if (main.configDir != null) {
            overrides.add(flag("config_dir", quoted(main.configDir.toString()), "--config-dir"));
        }
        List<String> sets = new ArrayList<>(main.config.sets);
        sets.addAll(subcommand.sets);
        for (String set : sets) {
            overrides.add(ConfigLoader.parseSet(set));
        }
        Path named = subcommand.file != null ? subcommand.file : main.config.file;
        return new SettingsFromFlags(named != null ? Optional.of(named) : defaultFile(main), overrides);
    }

    /** Loads the settings: defaults, then the file, then the overrides. */
    ConfigLoader.Loaded load() throws ConfigError {
        return ConfigLoader.load(file, overrides);
    }

    /**
     * Without {@code --config FILE} (which must exist: the loader says so if not), the default file in the config
     * directory ({@code --config-dir}, {@code $WIRETAP_HOME} or {@code ~/.wiretap}) if there is one.
     */
    private static Optional<Path> defaultFile(Main main) {
        Path dir = main.configDir != null ? main.configDir : TlsSettings.defaultConfigDir();
        Path file = ConfigLoader.defaultFile(dir);
        return Files.exists(file) ? Optional.of(file) : Optional.empty();
    }

    private static ConfigLoader.Override flag(String key, String yaml, String source) {
        return new ConfigLoader.Override(key, yaml, source);
    }

    /** A flag's text as a YAML scalar that reads back as exactly that text ({@code [::1]:8080} is no list). */
    static String quoted(String text) {
        return YamlScalar.doubleQuoted(text);
    }

    private static String list(List<String> items) {
        return "[" + String.join(", ", items.stream().map(SettingsFromFlags::quoted).toList()) + "]";
    }
}
