package dev.wiretap.proxy.testing;

import dev.wiretap.config.Settings;
import dev.wiretap.config.file.ConfigError;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.rule.Rule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Rules for tests written as a user would write them: the {@code rules:} section of a config file, read by the real
 * loader (so the tests exercise the file format too), with paths relative to {@code dir}.
 */
public final class TestRules {

    private TestRules() {
    }

    /** The rules of {@code yaml} (a whole config file, {@code rules:} and all), written to {@code dir/config.yaml}. */
    public static List<Rule> read(Path dir, String yaml) {
        try {
            Path file = Files.writeString(dir.resolve("config.yaml"), yaml);
            return ConfigLoader.load(Optional.of(file), List.of()).settings().rules();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigError e) {
            throw new AssertionError("the test's rules do not load: " + e.getMessage(), e);
        }
    }

    /** A settings tweak that puts in the rules of {@code yaml}. */
    public static UnaryOperator<Settings> with(Path dir, String yaml) {
        List<Rule> rules = read(dir, yaml);
        return s -> s.withRules(rules);
    }
}
