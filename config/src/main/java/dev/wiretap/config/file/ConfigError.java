package dev.wiretap.config.file;

/**
 * A configuration that cannot be used: where (the file and line, or the flag), which key, and why. The message
 * reads {@code config.yaml:12: timeouts.client_idle: '5x' is not a duration (for example 500ms, 30s, 2m)}.
 */
public final class ConfigError extends Exception {

    private final String where;
    private final String key;
    private final String reason;

    public ConfigError(String where, String key, String reason) {
        super(where + ": " + (key.isEmpty() ? "" : key + ": ") + reason);
        this.where = where;
        this.key = key;
        this.reason = reason;
    }

    /** {@code file:line}, or the flag ({@code --set}) the value came from. */
    public String where() {
        return where;
    }

    /** The dotted key ({@code timeouts.client_idle}, {@code rules[2].match}), or empty for the file as a whole. */
    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
