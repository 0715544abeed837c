package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One row of the flow list, copied out of a flow (a few strings and numbers, never a body), as the list API and the
 * event stream send it. Immutable. Its JSON (docs/web-api.md):
 *
 * <pre>
 * id, started (ISO 8601, UTC), method, scheme, host, port, path (with the query), url, status (null without a
 * response), contentType (null without one), requestSize and size (the bodies' bytes; for a tunnel the bytes relayed
 * each way), durationMs (null while in flight), state (in_flight, paused, done, failed), paused (request, response or
 * null), error (null or its message), rules (the names of the rules that applied), replayOf (null or a flow's id)
 * </pre>
 *
 * @param status        -1 without a response
 * @param durationNanos -1 while in flight
 */
record FlowSummary(long id, Instant started, String method, String scheme, String host, int port, String path,
                   String url, int status, String contentType, long requestSize, long size, long durationNanos,
                   State state, String paused, String error, List<String> rules, long replayOf) {

    /** Where a flow stands, as the list marks it. */
    enum State { IN_FLIGHT, PAUSED, DONE, FAILED }

    static FlowSummary of(Flow flow) {
        Response response = flow.response().orElse(null);
        Destination d = flow.request().destination().orElse(null);
        boolean tunnel = flow.request().isMethod("CONNECT");
        State state = flow.paused().isPresent() ? State.PAUSED : !flow.isDone() ? State.IN_FLIGHT
                : flow.error().isPresent() ? State.FAILED : State.DONE;
        return new FlowSummary(flow.id(), flow.started(), flow.request().method(),
                d == null ? "" : d.scheme(), d == null ? "" : d.host(), d == null ? 0 : d.port(),
                tunnel ? "" : d == null ? flow.request().target() : d.pathAndQuery(), flow.request().url(),
                response == null ? -1 : response.status(),
                response == null ? "" : response.headers().first("Content-Type").orElse(""),
                tunnel ? flow.bytesFromClient() : flow.request().body().size(),
                tunnel ? flow.bytesToClient() : response == null ? 0 : response.body().size(),
                flow.isDone() ? flow.durationNanos() : -1, state,
                flow.paused().map(side -> side.name().toLowerCase(Locale.ROOT)).orElse(""),
                flow.error().map(e -> e.message()).orElse(""), flow.appliedRules(), flow.replayOf().orElse(0));
    }

    /**
     * Whether the list shows the flow at all: not the CONNECT of a tunnel that wiretap opened and whose requests show as
     * flows of their own (as in the console), unless it failed.
     */
    static boolean isListed(Flow flow) {
        return !(flow.isIntercepted() && flow.error().isEmpty());
    }

    boolean isDone() {
        return state == State.DONE || state == State.FAILED;
    }

    /** Writes the row as a JSON object, with {@code highlighted} when a highlight filter was asked for. */
    void writeTo(JsonGenerator g, Boolean highlighted) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", id);
        g.writeStringField("started", started.toString());
        g.writeStringField("method", method);
        g.writeStringField("scheme", scheme);
        g.writeStringField("host", host);
        g.writeNumberField("port", port);
        g.writeStringField("path", path);
        g.writeStringField("url", url);
        if (status < 0) {
            g.writeNullField("status");
        } else {
            g.writeNumberField("status", status);
        }
        nullable(g, "contentType", contentType);
        g.writeNumberField("requestSize", requestSize);
        g.writeNumberField("size", size);
        if (durationNanos < 0) {
            g.writeNullField("durationMs");
        } else {
            g.writeNumberField("durationMs", Math.round(durationNanos / 1000.0) / 1000.0);
        }
        g.writeStringField("state", state.name().toLowerCase(Locale.ROOT));
        nullable(g, "paused", paused);
        nullable(g, "error", error);
        g.writeArrayFieldStart("rules");
        for (String rule : rules) {
            g.writeString(rule);
        }
        g.writeEndArray();
        if (replayOf > 0) {
            g.writeNumberField("replayOf", replayOf);
        } else {
            g.writeNullField("replayOf");
        }
        if (highlighted != null) {
            g.writeBooleanField("highlighted", highlighted);
        }
        g.writeEndObject();
    }

    static void nullable(JsonGenerator g, String name, String value) throws IOException {
        if (value.isEmpty()) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }
}
