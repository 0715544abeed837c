package dev.wiretap.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Server replay: recorded exchanges (a HAR or a session file) served back in the origins' place, so that a flaky or
 * absent service becomes a stable fixture. A request that matches a recorded one (method and URL, and the body when
 * {@code matchBody}) gets the recorded response; one that matches none goes on to its origin, or is answered 502.
 * Immutable.
 *
 * @param from      the file of recorded exchanges, or empty for no replay
 * @param onMiss    what a request that matches no recorded one gets
 * @param matchBody whether a request's body must equal the recorded request's too
 * @param timing    whether each answer takes the time the origin took when it was recorded (its wait for the first
 *                  byte, then the rest of the body); otherwise it goes out at once
 */
public record ReplaySettings(Optional<Path> from, OnMiss onMiss, boolean matchBody, boolean timing) {

    /** What a request that matches no recorded one gets. */
    public enum OnMiss {
        /** It goes on to its origin as usual. */
        FORWARD("forward"),
        /** wiretap answers 502, naming the request that was not recorded. */
        FAIL("502");

        private final String text;

        OnMiss(String text) {
            this.text = text;
        }

        /** As written in the config: {@code forward} or {@code 502}. */
        @Override
        public String toString() {
            return text;
        }

        public static OnMiss parse(String text) {
            for (OnMiss m : values()) {
                if (m.text.equalsIgnoreCase(text.strip())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("expected forward (a request not recorded goes to its origin) or 502"
                    + " (it is answered 502), found '" + text + "'");
        }
    }

    public static final ReplaySettings NONE = new ReplaySettings(Optional.empty(), OnMiss.FORWARD, false, false);

    public ReplaySettings {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(onMiss, "onMiss");
    }

    /** Replays {@code file} with the default matching: method and URL; misses forwarded; answers at once. */
    public static ReplaySettings from(Path file) {
        return NONE.withFrom(Optional.of(file));
    }

    public boolean isOn() {
        return from.isPresent();
    }

    public ReplaySettings withFrom(Optional<Path> value) {
        return new ReplaySettings(value, onMiss, matchBody, timing);
    }

    public ReplaySettings withOnMiss(OnMiss value) {
        return new ReplaySettings(from, value, matchBody, timing);
    }

    public ReplaySettings withMatchBody(boolean value) {
        return new ReplaySettings(from, onMiss, value, timing);
    }

    public ReplaySettings withTiming(boolean value) {
        return new ReplaySettings(from, onMiss, matchBody, value);
    }
}
