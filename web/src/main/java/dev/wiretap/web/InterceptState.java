package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.addon.PausedFlow;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The intercept as the UI shows it, in JSON: what it pauses ({@code filter}, {@code responses}), how long a flow waits
 * for the user ({@code timeoutMs}), and the flows waiting now, oldest first, each with where it waits, how long it has
 * left before it goes on by itself, whether its body can be edited, and its row. {@code GET /api/intercept} answers
 * with it, and the event stream sends it whenever it changes. Read from the intercept addon each time; stateless.
 */
final class InterceptState {

    private InterceptState() {
    }

    /** What identifies the intercept's settings now: a new one means the filter or the sides changed. */
    record Settings(Optional<dev.wiretap.config.filter.Filter> filter, boolean responses) {
        static Settings of(InterceptAddon intercept) {
            return new Settings(intercept.filter(), intercept.interceptsResponses());
        }
    }

    static byte[] json(InterceptAddon intercept) {
        return JsonBody.bytes(g -> write(intercept, g));
    }

    static void write(InterceptAddon intercept, JsonGenerator g) throws IOException {
        Instant now = Instant.now();
        List<PausedFlow> paused = intercept.paused();
        g.writeStartObject();
        Optional<String> filter = intercept.filter().map(Object::toString);
        if (filter.isPresent()) {
            g.writeStringField("filter", filter.get());
        } else {
            g.writeNullField("filter");
        }
        g.writeBooleanField("responses", intercept.interceptsResponses());
        g.writeNumberField("timeoutMs", intercept.timeout().toMillis());
        g.writeArrayFieldStart("paused");
        for (PausedFlow p : paused) {
            writePaused(p, now, g);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** One waiting flow: id, side, since, remainingMs, bodyEditable, edited, row. */
    static void writePaused(PausedFlow p, Instant now, JsonGenerator g) throws IOException {
        Flow flow = p.flow();
        g.writeStartObject();
        g.writeNumberField("id", flow.id());
        g.writeStringField("side", side(p));
        g.writeStringField("since", p.since().toString());
        g.writeNumberField("remainingMs", Math.max(0, Duration.between(now, p.deadline()).toMillis()));
        g.writeBooleanField("bodyEditable", p.bodyEditable());
        g.writeBooleanField("edited", p.edited());
        g.writeFieldName("row");
        FlowSummary.of(flow).writeTo(g, null);
        g.writeEndObject();
    }

    static String side(PausedFlow p) {
        return p.side() == Flow.Side.REQUEST ? "request" : "response";
    }
}
