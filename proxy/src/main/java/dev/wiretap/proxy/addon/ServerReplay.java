package dev.wiretap.proxy.addon;

import dev.wiretap.config.ReplaySettings;
import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Flow;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Server replay: answers requests with responses recorded earlier ({@link RecordedExchanges}, from a HAR or a session
 * file), in the origins' place, so that no origin is needed. A request matches a recorded one by method and URL, and
 * by body when the replay matches bodies (then the request is held until its body is in hand); the match gets the
 * recorded status, fields and body, after the recorded waits when timing is asked for. A request that matches none
 * goes on to its origin, or is answered 502 naming it ({@link ReplaySettings.OnMiss}). What {@code wiretap
 * --replay-from} and {@code Wiretap.replayFrom} start; installed after the rules, so a rule's answer comes first.
 *
 * <p>Hooks run on the connection threads; the replay in force can be replaced or stopped at any time (the exchanges
 * under way keep the one they started with). Thread-safe.
 */
public final class ServerReplay implements Addon {

    /** A replay in force: what it serves, and how. */
    public record Running(RecordedExchanges recorded, ReplaySettings settings) {
    }

    private final AtomicReference<Running> active = new AtomicReference<>();

    @Override
    public String name() {
        return "replay";
    }

    /** Serves {@code recorded} from now on, as {@code settings} say (its matching, misses and timing). */
    public void start(RecordedExchanges recorded, ReplaySettings settings) {
        start(new Running(recorded, settings));
    }

    /** Serves what {@code running} says from now on (a replay taken with {@link #running()}, put back). */
    public void start(Running running) {
        active.set(running);
    }

    /** Stops replaying: requests go to their origins again. */
    public void stop() {
        active.set(null);
    }

    /** The replay in force, if any. */
    public Optional<Running> running() {
        return Optional.ofNullable(active.get());
    }

    /** A replay answers in the origins' place: a tunnel to a host that is gone is worth opening. */
    @Override
    public boolean mayAnswerLocally() {
        return active.get() != null;
    }

    @Override
    public void onRequestHead(Flow flow) {
        Running now = active.get();
        if (now == null || flow.request().isMethod("CONNECT") || flow.answer().isPresent()) {
            return;
        }
        String method = flow.request().method();
        String url = flow.request().url();
        if (!now.recorded().hasRequest(method, url)) {
            miss(flow, now);
        } else if (now.recorded().matchesBodies()) {
            flow.hold(Flow.Side.REQUEST); // decided in onRequest, with the body in hand
        } else {
            serve(flow, now, null);
        }
    }

    @Override
    public void onRequest(Flow flow) {
        Running now = active.get();
        if (now == null || flow.answer().isPresent() || !now.recorded().matchesBodies()
                || !now.recorded().hasRequest(flow.request().method(), flow.request().url())) {
            return;
        }
        if (!flow.hasWholeBody(Flow.Side.REQUEST) && !flow.request().body().isEmpty()) {
            miss(flow, now); // larger than the capture cap: it cannot be compared
            return;
        }
        serve(flow, now, flow.request().body().bytes());
    }

    private static void serve(Flow flow, Running now, byte[] body) {
        Optional<RecordedExchanges.Recorded> match = now.recorded().next(flow.request().method(), flow.request().url(), body);
        if (match.isEmpty()) {
            miss(flow, now);
            return;
        }
        Answer.Recorded answer = match.get().answer();
        if (!now.settings().timing()) {
            answer = new Answer.Recorded(answer.status(), answer.reason(), answer.headers(), answer.body(), Duration.ZERO,
                    Duration.ZERO);
        }
        flow.setAnswer(answer);
        flow.addNote("replayed from " + now.recorded().source() + ", where it was flow " + match.get().recordedId());
    }

    private static void miss(Flow flow, Running now) {
        String request = flow.request().method() + " " + flow.request().url();
        boolean bodies = now.recorded().matchesBodies();
        if (now.settings().onMiss() == ReplaySettings.OnMiss.FORWARD) {
            flow.addNote("not in the replay of " + now.recorded().source() + (bodies ? " (with this body)" : "")
                    + ": sent to the origin");
            return;
        }
        flow.addNote("not in the replay of " + now.recorded().source() + ": answered 502");
        flow.setAnswer(new Answer.Respond(502, "Bad Gateway", Map.of("Content-Type", "text/plain; charset=utf-8"),
                ("wiretap: " + request + (bodies ? " with this body" : "") + " was not recorded in "
                        + now.recorded().source() + " (replay.on_miss: 502; " + now.recorded().size()
                        + " exchanges recorded)\n").getBytes(StandardCharsets.UTF_8)));
    }
}
