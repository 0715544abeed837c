package dev.wiretap.proxy;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.config.rule.RuleAction.Side;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A traffic rule being written in code: {@code wiretap.when("host:api.example.test path:/user")} chose the exchanges,
 * and each method here gives the action, adds the rule, and returns its {@link RuleHandle}. The actions are the config
 * file's ({@link RuleAction}), checked the same way: a field wiretap could not send, a framing field, a status out of
 * range or a missing file is an {@link IllegalArgumentException} at once, never a failure on traffic. A rule added
 * here applies to exchanges whose request arrives afterwards, and is tried before older ones and the config's.
 * One-shot: each call adds a rule of its own.
 */
public final class When {

    private final CodeRules rules;
    private final Filter filter;

    When(CodeRules rules, Filter filter) {
        this.rules = rules;
        this.filter = filter;
    }

    /** Answers in the origin's place with {@code status} and no body. */
    public RuleHandle respond(int status) {
        return respond(status, Map.of(), new byte[0]);
    }

    /** Answers in the origin's place with {@code status}, a {@code Content-Type} and {@code body} in UTF-8. */
    public RuleHandle respond(int status, String contentType, String body) {
        return respond(status, Map.of("Content-Type", contentType), body.getBytes(StandardCharsets.UTF_8));
    }

    /** Answers in the origin's place with {@code status}, these fields (in the map's order) and {@code body}. */
    public RuleHandle respond(int status, Map<String, String> headers, byte[] body) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException(status + " is not a final status (200 to 599)");
        }
        headers.forEach(When::checkField);
        return add("respond " + status, new RuleAction.Respond(status, headers, body));
    }

    /** Replaces every request field {@code name} with one holding {@code value} (adds it when absent). */
    public RuleHandle setRequestHeader(String name, String value) {
        return add("set request header " + name, new RuleAction.SetHeader(Side.REQUEST, changeable(name, value), value));
    }

    /** Adds a request field {@code name: value} after those already there. */
    public RuleHandle addRequestHeader(String name, String value) {
        return add("add request header " + name, new RuleAction.AddHeader(Side.REQUEST, changeable(name, value), value));
    }

    /** Removes every request field {@code name}. */
    public RuleHandle removeRequestHeader(String name) {
        return add("remove request header " + name, new RuleAction.RemoveHeader(Side.REQUEST, changeable(name, "")));
    }

    /** Replaces every response field {@code name} with one holding {@code value} (adds it when absent). */
    public RuleHandle setResponseHeader(String name, String value) {
        return add("set response header " + name, new RuleAction.SetHeader(Side.RESPONSE, changeable(name, value), value));
    }

    /** Adds a response field {@code name: value} after those already there. */
    public RuleHandle addResponseHeader(String name, String value) {
        return add("add response header " + name, new RuleAction.AddHeader(Side.RESPONSE, changeable(name, value), value));
    }

    /** Removes every response field {@code name}. */
    public RuleHandle removeResponseHeader(String name) {
        return add("remove response header " + name, new RuleAction.RemoveHeader(Side.RESPONSE, changeable(name, "")));
    }

    /** Sends the requests to {@code url}'s scheme, host and port, its path in front of theirs; Host follows. */
    public RuleHandle mapRemote(String url) {
        return mapRemote(url, "");
    }

    /** As {@link #mapRemote(String)}, the requests' paths losing {@code stripPrefix} first ({@code /api}). */
    public RuleHandle mapRemote(String url, String stripPrefix) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getReason(), e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + url + "' is not an http:// or https:// URL with a host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("'" + url + "': only scheme, host, port and a path prefix can be mapped");
        }
        return add("map remote " + url, new RuleAction.MapRemote(uri, stripPrefix));
    }

    /** Answers with the file {@code path}, or with the file at the request's path under the directory {@code path}. */
    public RuleHandle mapLocal(Path path) {
        return mapLocal(path, "");
    }

    /** As {@link #mapLocal(Path)}, the request's path losing {@code stripPrefix} before it is looked up. */
    public RuleHandle mapLocal(Path path, String stripPrefix) {
        Path absolute = path.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            throw new IllegalArgumentException("no such file or directory: " + absolute);
        }
        return add("map local " + path, new RuleAction.MapLocal(absolute, stripPrefix));
    }

    /** Refuses the requests with {@code status} (400 to 599) and a short text. */
    public RuleHandle block(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException(status + " is not an error status (400 to 599); or drop()");
        }
        return add("block " + status, new RuleAction.Block(Optional.of(status)));
    }

    /** Cuts the client's connection without an answer. */
    public RuleHandle drop() {
        return add("drop", new RuleAction.Block(Optional.empty()));
    }

    /** Holds each request back for {@code latency} before it goes on (or is answered). */
    public RuleHandle delay(Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("a delay cannot be negative: " + latency);
        }
        return add("delay " + latency.toMillis() + "ms", new RuleAction.Delay(latency));
    }

    /** Limits the bytes per second each way ({@code 0}: no limit that way). */
    public RuleHandle throttle(long upBytesPerSecond, long downBytesPerSecond) {
        if (upBytesPerSecond < 0 || downBytesPerSecond < 0 || upBytesPerSecond == 0 && downBytesPerSecond == 0) {
            throw new IllegalArgumentException("a throttle needs a positive rate up, down or both (bytes per second)");
        }
        return add("throttle", new RuleAction.Throttle(upBytesPerSecond, downBytesPerSecond));
    }

    /** Adds one rule with several actions at once, applied in order (as a config file's rule with several keys). */
    public RuleHandle apply(RuleAction... actions) {
        return add(String.join(", ", java.util.Arrays.stream(actions).map(a -> a.getClass().getSimpleName()).toList()),
                actions);
    }

    private RuleHandle add(String what, RuleAction... actions) {
        return rules.add(List.of(new Rule("when " + filter + ": " + what, filter, List.of(actions))));
    }

    /** A field a rule may change: one wiretap can send, and not one that frames the body (wiretap does that itself). */
    private static String changeable(String name, String value) {
        checkField(name, value);
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException(name + " frames the body, which wiretap does itself: a rule cannot change it");
        }
        return name;
    }

    /** The config loader's check of a field (RFC 9110 section 5.5): a token for a name, no CR, LF or NUL in a value. */
    private static void checkField(String name, String value) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new IllegalArgumentException("'" + name + "' is not a valid field name");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 0xFF) {
                throw new IllegalArgumentException("the value of " + name + " holds a character a field may not hold");
            }
        }
    }
}
