package dev.wiretap.cli;

import dev.wiretap.config.Settings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.Option;
import dev.wiretap.config.file.Options;
import dev.wiretap.config.rule.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the config file again after an edit, with the same flags and {@code --set} values as at start. A valid file's
 * rules go to the engine at once (new exchanges see them), and one notice line says so, naming the keys that changed
 * but only take effect after a restart (the listener, timeouts, TLS: everything but the rules is fixed at start). A
 * broken file is reported with its file, line and key, and the last good rules stay in force. Called by
 * {@link ConfigWatcher}'s thread only.
 */
final class ConfigReload {

    private final SettingsFromFlags flags;
    private final Settings started;
    private final Consumer<List<Rule>> applyRules;
    private final Consumer<String> notices;
    private final Consumer<String> errors;
    private boolean reportedGone;

    /**
     * @param started    the settings wiretap started with (what is in force but for the rules)
     * @param applyRules hands new rules to the engine
     * @param notices    takes the line saying what a reload did
     * @param errors     takes the line saying why a reload was refused
     */
    ConfigReload(SettingsFromFlags flags, Settings started, Consumer<List<Rule>> applyRules, Consumer<String> notices,
                 Consumer<String> errors) {
        if (flags.file().isEmpty()) {
            throw new IllegalArgumentException("no config file to reload");
        }
        this.flags = flags;
        this.started = started;
        this.applyRules = applyRules;
        this.notices = notices;
        this.errors = errors;
    }

    void reload() {
        Path file = flags.file().orElseThrow();
        if (!Files.exists(file)) {
            // Editors that save by writing a new file and renaming it over the old one leave a moment without it;
            // the watcher waits for quiet first, so this is a file that stays gone. Said once, until it is back.
            if (!reportedGone) {
                errors.accept("wiretap: config file " + file + " was removed; the last good settings stay in force");
                reportedGone = true;
            }
            return;
        }
        reportedGone = false;
        ConfigLoader.Loaded loaded;
        try {
            loaded = flags.load();
        } catch (ConfigError e) {
            errors.accept("wiretap: config not reloaded: " + e.getMessage() + " (the last good settings stay in force)");
            return;
        }
        applyRules.accept(loaded.settings().rules());
        List<String> restart = changedKeys(started, loaded.settings());
        notices.accept("config reloaded from " + file + ": " + rules(loaded.settings())
                + (restart.isEmpty() ? "" : "; needs a restart: " + String.join(", ", restart)));
    }

    /** The keys whose values differ: all but the rules need a restart to take effect. */
    static List<String> changedKeys(Settings before, Settings after) {
        return Options.all().stream()
                .filter(o -> !o.value().apply(before).equals(o.value().apply(after)))
                .map(Option::key)
                .toList();
    }

    /** "1 rule", "3 rules". */
    static String rules(Settings settings) {
        int n = settings.rules().size();
        return n + (n == 1 ? " rule" : " rules");
    }
}
