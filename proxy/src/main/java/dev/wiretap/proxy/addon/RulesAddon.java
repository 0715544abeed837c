package dev.wiretap.proxy.addon;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.ReasonPhrase;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies the configured rules to every exchange, in file order, each rule's filter seeing the exchange as the rules
 * before it left it.
 *
 * <p>At the request head (no response known yet): request header changes, map remote, delay, throttle, and the
 * answers that replace the origin (map local, respond, block), the first one winning. At the response head (the
 * origin's, or a rule's answer): response header changes. A rule's filter is decided once, at the request head,
 * unless it reads the response ({@code status:}, response fields, content type, bodies): then it is decided at the
 * response head. The rules for an exchange are the ones in force at its request head. Each flow records the rules
 * that changed it.
 *
 * <p>A CONNECT is not an HTTP exchange a rule can rewrite: only block applies to it. The requests inside an
 * intercepted tunnel are exchanges of their own, to which every rule applies.
 *
 * <p>The rules can be replaced while running ({@link #setRules}, on a config reload): new exchanges see the new ones.
 * Hooks run on the exchange's connection thread; a delay sleeps it. Thread-safe.
 */
public final class RulesAddon implements Addon {

    /** Framing is wiretap's to decide from the body itself: a rule changing it would desynchronise the connection. */
    private static final List<String> FRAMING_FIELDS = List.of("Content-Length", "Transfer-Encoding");

    private final AtomicReference<List<Rule>> rules;

    public RulesAddon(List<Rule> rules) {
        this.rules = new AtomicReference<>(List.copyOf(rules));
    }

    public void setRules(List<Rule> rules) {
        this.rules.set(List.copyOf(rules));
    }

    public List<Rule> rules() {
        return rules.get();
    }

    @Override
    public String name() {
        return "rules";
    }

    /** Whether some rule in force answers in the origin's place (map local or respond). */
    @Override
    public boolean mayAnswerLocally() {
        for (Rule rule : rules.get()) {
            for (RuleAction action : rule.actions()) {
                if (action instanceof RuleAction.MapLocal || action instanceof RuleAction.Respond) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public void onRequestHead(Flow view) {
        LiveFlow flow = LiveFlow.of(view);
        List<Rule> inForce = rules.get();
        if (inForce.isEmpty()) {
            return;
        }
        boolean tunnel = flow.request().isMethod("CONNECT");
        FlowExchange exchange = FlowExchange.asFlowed(flow);
        List<Rule> forResponse = new ArrayList<>();
        for (Rule rule : inForce) {
            boolean responseActions = !tunnel && hasResponseAction(rule);
            boolean readsResponse = rule.match().readsResponse();
            if (responseActions && readsResponse) {
                forResponse.add(rule); // its filter is decided at the response head
            }
            boolean decideNow = hasRequestAction(rule) || (responseActions && !readsResponse);
            if (!decideNow || !rule.match().matches(exchange)) {
                continue;
            }
            if (responseActions && !readsResponse) {
                forResponse.add(rule); // decided here: its response actions apply whatever the request becomes
            }
            boolean applied = false;
            for (RuleAction action : rule.actions()) {
                applied |= tunnel ? applyToTunnel(action, flow) : applyToRequest(action, flow);
            }
            if (applied) {
                flow.addAppliedRule(rule.name());
            }
        }
        if (!forResponse.isEmpty()) {
            flow.setResponseRules(forResponse);
        }
    }

    @Override
    public void onResponseHead(Flow view) {
        LiveFlow flow = LiveFlow.of(view);
        List<Rule> candidates = flow.responseRules();
        Optional<Response> response = flow.response();
        if (candidates.isEmpty() || response.isEmpty()) {
            return;
        }
        FlowExchange exchange = FlowExchange.asFlowed(flow);
        for (Rule rule : candidates) {
            if (rule.match().readsResponse() && !rule.match().matches(exchange)) {
                continue;
            }
            boolean applied = false;
            for (RuleAction action : rule.actions()) {
                if (isResponseAction(action)) {
                    applied |= applyHeader(action, response.get().headers());
                }
            }
            if (applied) {
                flow.addAppliedRule(rule.name());
            }
        }
    }

    private static boolean hasRequestAction(Rule rule) {
        for (RuleAction action : rule.actions()) {
            if (!isResponseAction(action)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasResponseAction(Rule rule) {
        for (RuleAction action : rule.actions()) {
            if (isResponseAction(action)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isResponseAction(RuleAction action) {
        return switch (action) {
            case RuleAction.SetHeader h -> h.side() == RuleAction.Side.RESPONSE;
            case RuleAction.AddHeader h -> h.side() == RuleAction.Side.RESPONSE;
            case RuleAction.RemoveHeader h -> h.side() == RuleAction.Side.RESPONSE;
            default -> false;
        };
    }

    /** Applies one action to a CONNECT: only a block (a tunnel has no URL, fields or body of its own to change). */
    private static boolean applyToTunnel(RuleAction action, LiveFlow flow) {
        return action instanceof RuleAction.Block && applyToRequest(action, flow);
    }

    /** Applies one request-time action; returns whether it changed anything. */
    private static boolean applyToRequest(RuleAction action, LiveFlow flow) {
        switch (action) {
            case RuleAction.SetHeader h when h.side() == RuleAction.Side.REQUEST -> {
                return applyHeader(h, flow.request().headers());
            }
            case RuleAction.AddHeader h when h.side() == RuleAction.Side.REQUEST -> {
                return applyHeader(h, flow.request().headers());
            }
            case RuleAction.RemoveHeader h when h.side() == RuleAction.Side.REQUEST -> {
                return applyHeader(h, flow.request().headers());
            }
            case RuleAction.MapRemote m -> mapRemote(m, flow);
            case RuleAction.MapLocal m -> {
                if (flow.answer().isEmpty()) {
                    String path = flow.request().destination().map(Destination::pathAndQuery).orElse("/");
                    flow.setAnswer(switch (LocalFiles.resolve(m, path)) {
                        case LocalFiles.Found found -> new Answer.File(found.file(),
                                MediaTypes.guess(found.file().getFileName().toString()));
                        case LocalFiles.Missing missing -> notFound(m, path);
                        case LocalFiles.Outside outside -> outside(m, path);
                    });
                }
            }
            case RuleAction.Respond r -> {
                if (flow.answer().isEmpty()) {
                    flow.setAnswer(new Answer.Respond(r.status(), ReasonPhrase.of(r.status()), r.headers(), r.body()));
                }
            }
            case RuleAction.Block b -> {
                if (flow.answer().isEmpty()) {
                    flow.setAnswer(b.status().<Answer>map(status -> new Answer.Respond(status, ReasonPhrase.of(status),
                            Map.of("Content-Type", "text/plain; charset=utf-8"),
                            ("wiretap: blocked by a rule\n").getBytes(StandardCharsets.UTF_8))).orElse(new Answer.Drop()));
                }
            }
            case RuleAction.Delay d -> sleep(d.latency().toMillis());
            case RuleAction.Throttle t -> flow.setThrottle(new Throttle(t.upBytesPerSecond(), t.downBytesPerSecond()));
            default -> {
                return false; // a response-side header change: applied at the response head
            }
        }
        return true;
    }

    /** Applies one header change; returns false for a framing field, which a rule may not change. */
    private static boolean applyHeader(RuleAction action, Headers headers) {
        String name = switch (action) {
            case RuleAction.SetHeader h -> h.name();
            case RuleAction.AddHeader h -> h.name();
            case RuleAction.RemoveHeader h -> h.name();
            default -> throw new IllegalArgumentException("not a header change: " + action);
        };
        if (isFraming(name)) {
            return false;
        }
        switch (action) {
            case RuleAction.SetHeader h -> headers.set(h.name(), h.value());
            case RuleAction.AddHeader h -> headers.add(h.name(), h.value());
            default -> headers.removeAll(name);
        }
        return true;
    }

    private static boolean isFraming(String name) {
        for (String field : FRAMING_FIELDS) {
            if (field.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Points the request at the rule's target: its scheme, host and port; the request path loses the strip prefix
     * and gains the target's path in front. {@code {to: https://staging.example.com/v2, strip: /api}} maps
     * {@code /api/x?y} to {@code /v2/x?y}. The Host field follows (it is written from the destination).
     */
    private static void mapRemote(RuleAction.MapRemote rule, Flow flow) {
        URI target = rule.target();
        Destination current = flow.request().destination().orElseThrow();
        String scheme = target.getScheme().toLowerCase(java.util.Locale.ROOT);
        int port = target.getPort() > 0 ? target.getPort() : Destination.defaultPort(scheme);
        String path = PathPrefix.strip(current.pathAndQuery(), rule.stripPrefix());
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String prefix = target.getRawPath() == null || target.getRawPath().equals("/") ? "" : stripSlash(target.getRawPath());
        String host = target.getHost().startsWith("[") ? target.getHost().substring(1, target.getHost().length() - 1)
                : target.getHost(); // an IPv6 literal, without the brackets a URI keeps on it
        flow.request().setDestination(new Destination(scheme, host, port, prefix + path));
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The rule's path is named as the config gives it, relative to its directory: a client never sees the home directory. */
    private static Answer notFound(RuleAction.MapLocal m, String path) {
        return new Answer.Respond(404, "Not Found", Map.of("Content-Type", "text/plain; charset=utf-8"),
                ("wiretap: no local file for " + path + " under " + m.shownPath() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Answer outside(RuleAction.MapLocal m, String path) {
        return new Answer.Respond(403, "Forbidden", Map.of("Content-Type", "text/plain; charset=utf-8"),
                ("wiretap: the local file for " + path + " leads outside " + m.shownPath()
                        + " (a symbolic link); map_local serves only the files inside its directory\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
