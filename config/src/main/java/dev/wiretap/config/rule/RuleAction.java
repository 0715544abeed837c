package dev.wiretap.config.rule;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a rule does to an exchange it matches. Header changes and map remote apply to the request before it goes
 * out; response header changes before the response goes back; map local, respond and block answer in the
 * origin's place; delay and throttle slow the exchange down. Immutable.
 */
public sealed interface RuleAction {

    /** Which message a header change is for. */
    enum Side { REQUEST, RESPONSE }

    /** Replaces every field {@code name} with one holding {@code value} (adds it when absent). */
    record SetHeader(Side side, String name, String value) implements RuleAction {
    }

    /** Adds a field {@code name: value} after the existing ones. */
    record AddHeader(Side side, String name, String value) implements RuleAction {
    }

    /** Removes every field {@code name}. */
    record RemoveHeader(Side side, String name) implements RuleAction {
    }

    /**
     * Sends the request elsewhere: {@code target}'s scheme, host and port replace the request's; the request's path
     * loses {@code stripPrefix} (when it starts with it) and gains {@code target}'s path (when more than "/") in
     * front. The Host field follows.
     */
    record MapRemote(URI target, String stripPrefix) implements RuleAction {
        public MapRemote {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(stripPrefix, "stripPrefix");
        }
    }

    /**
     * Answers with a local file ({@code path} a file), or with the file under a directory ({@code path} a directory)
     * at the request's path below {@code stripPrefix}; Content-Type guessed from the file name. A missing file is a
     * 404; a file whose real path leaves the directory (a symbolic link out of it) is refused.
     *
     * @param shownPath {@code path} as the answers a client gets may name it: relative to the config file's
     *                  directory ({@code ./mocks}), never the absolute path, which would show the home directory
     */
    record MapLocal(Path path, String stripPrefix, String shownPath) implements RuleAction {
        public MapLocal {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(stripPrefix, "stripPrefix");
            Objects.requireNonNull(shownPath, "shownPath");
        }

        /** A rule made in code: shown by its file name. */
        public MapLocal(Path path, String stripPrefix) {
            this(path, stripPrefix, path.getFileName() == null ? "." : path.getFileName().toString());
        }
    }

    /** Answers in the origin's place with this status, these fields and this body. */
    record Respond(int status, Map<String, String> headers, byte[] body) implements RuleAction {
        public Respond {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers)); // in the order given
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }
    }

    /** Refuses the request: answers {@code status} (with a short text), or, with no status, drops the connection. */
    record Block(Optional<Integer> status) implements RuleAction {
    }

    /** Holds the request back for {@code latency} before it goes on. */
    record Delay(Duration latency) implements RuleAction {
    }

    /** Limits the bytes per second each way (0: no limit that way). */
    record Throttle(long upBytesPerSecond, long downBytesPerSecond) implements RuleAction {
    }

    /** For listing actions in a help or an error. */
    List<String> KEYS = List.of("set_headers", "add_headers", "remove_headers", "map_remote", "map_local", "respond",
            "block", "delay", "throttle");
}
