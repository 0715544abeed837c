package dev.wiretap.config.file;

import dev.wiretap.config.Settings;
import java.util.function.Function;

/**
 * One setting a user can write in the file, pass with {@code --set}, or see in {@code wiretap config}: its dotted
 * key, the kind of value, what it does, how to show its current value, and how to apply a written value.
 *
 * @param key     dotted key, e.g. {@code timeouts.client_idle}
 * @param type    the kind of value for help texts ({@code duration}, {@code size}, {@code HOST:PORT} ...)
 * @param doc     one line on what it does
 * @param show    its value in a {@link Settings}, as it would be written in the file (a password hidden)
 * @param apply   a written value applied onto settings
 * @param value   its value in a {@link Settings}, for telling whether it changed: {@code show} may hide a secret
 */
public record Option(String key, String type, String doc, Function<Settings, String> show, Applier apply,
                     Function<Settings, Object> value) {

    /** An option whose shown text is all there is to its value. */
    public Option(String key, String type, String doc, Function<Settings, String> show, Applier apply) {
        this(key, type, doc, show, apply, show::apply);
    }

    /** Applies a written value; faults are {@link ConfigError}s, or IllegalArgumentExceptions (wrapped by the caller). */
    @FunctionalInterface
    public interface Applier {
        Settings apply(Settings settings, ConfigNode value, String key) throws ConfigError;
    }
}
