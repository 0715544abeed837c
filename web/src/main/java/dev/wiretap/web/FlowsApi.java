package dev.wiretap.web;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The flows part of the JSON API (docs/web-api.md): the list ({@code GET /api/flows}, filtered, paged back from the
 * newest), one flow whole ({@code GET /api/flows/{n}}), forgetting them ({@code DELETE /api/flows}) and the live
 * stream ({@code GET /api/events}). Reads the engine through the facade's flow store alone and keeps nothing per flow:
 * a list is read out of the store for each request, its bodies' bytes left out unless the filter reads bodies.
 * Called on the UI's connection threads.
 */
final class FlowsApi {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 10_000;

    private final Wiretap wiretap;
    private final LiveFeed feed;

    FlowsApi(Wiretap wiretap, LiveFeed feed) {
        this.wiretap = wiretap;
        this.feed = feed;
    }

    /** {@code GET /api/flows?filter=&highlight=&limit=&before=}: a page of rows, newest first. */
    ServiceResponse list(ServiceRequest request) throws ApiException {
        Filter filter = filter(request, "filter").orElse(Filter.ALL);
        Optional<Filter> highlight = filter(request, "highlight");
        int limit = (int) number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        long before = number(request, "before", FlowHistory.NEWEST, 0, FlowHistory.NEWEST);
        boolean bodies = filter.readsBodies() || highlight.map(Filter::readsBodies).orElse(false);
        Predicate<Flow> selects = flow -> FlowSummary.isListed(flow) && FlowMatch.matches(filter, flow);
        FlowHistory store = wiretap.history();
        FlowHistory.Page page = store.readBack(before, limit, bodies, selects);
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("flows");
            for (Flow flow : page.flows()) {
                FlowSummary.of(flow).writeTo(g, highlight.map(h -> FlowMatch.matches(h, flow)).orElse(null));
            }
            g.writeEndArray();
            if (page.next().isPresent()) {
                g.writeNumberField("next", page.next().getAsLong());
            } else {
                g.writeNullField("next");
            }
            g.writeNumberField("held", store.size());
            g.writeNumberField("evicted", store.evictedCount());
            g.writeEndObject();
        });
    }

    /** {@code GET /api/flows/{n}}. */
    ServiceResponse detail(String number) throws ApiException {
        Flow flow = held(wiretap, number);
        return JsonBody.response(200, g -> FlowDetail.write(flow, g));
    }

    /**
     * Flow {@code number} as the store holds it: 400 when it is not a flow number, 404 when it is not held (never was,
     * cleared, or let go).
     */
    static Flow held(Wiretap wiretap, String number) throws ApiException {
        long id = flowNumber(number);
        return wiretap.history().get(id).orElseThrow(() -> new ApiException(404, "flow " + id + " is not held: there was"
                + " none yet, or it was cleared, or let go to stay within the flow store's memory budget"));
    }

    /** A flow number as a path has it: digits, from 1. */
    static long flowNumber(String number) throws ApiException {
        try {
            long id = Long.parseLong(number);
            if (id < 1 || !number.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new ApiException(400, "'" + number + "' is not a flow number (flows are numbered from 1)");
        }
    }

    /**
     * {@code GET /api/flows/{n}/messages?from=K}: a WebSocket's kept messages from index K on (default 0), for a view that
     * follows the socket; 404 when the flow is not held or is no WebSocket.
     */
    ServiceResponse messages(String number, ServiceRequest request) throws ApiException {
        Flow flow = held(wiretap, number);
        long from = number(request, "from", 0, 0, Long.MAX_VALUE);
        if (flow.webSocket().isEmpty()) {
            throw new ApiException(404, "flow " + flow.id() + " is no WebSocket");
        }
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("id", flow.id());
            g.writeBooleanField("open", !flow.isDone());
            MessagesJson.write(flow.webSocket().get(), from, g);
            g.writeEndObject();
        });
    }

    /** {@code DELETE /api/flows}: forgets the finished flows (those in flight stay), as the console's clear does. */
    ServiceResponse clear() {
        int before = wiretap.history().size();
        wiretap.clearFlows();
        int cleared = Math.max(0, before - wiretap.history().size());
        feed.cleared();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("cleared", cleared);
            g.writeNumberField("held", wiretap.history().size());
            g.writeEndObject();
        });
    }

    /** {@code GET /api/events?filter=&highlight=}: the live stream of the flows that change. */
    ServiceResponse events(ServiceRequest request) throws ApiException {
        Filter filter = filter(request, "filter").orElse(Filter.ALL);
        Optional<Filter> highlight = filter(request, "highlight");
        EventClient client = new EventClient(filter, highlight);
        return ServiceResponse.streamed(200, "text/event-stream; charset=utf-8", stream -> {
            client.hello(wiretap.history().size(), wiretap.history().evictedCount());
            feed.join(client);
            try {
                client.writeTo(stream);
            } finally {
                feed.leave(client);
                client.close();
            }
        }).with("Cache-Control", "no-store");
    }


    /** A filter parameter, parsed; a fault is a 400 naming the parameter, the message and the column. */
    private static Optional<Filter> filter(ServiceRequest request, String name) throws ApiException {
        Optional<String> text = request.query(name).filter(t -> !t.isBlank());
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parseFilter(text.get(), name));
    }

    /** A filter the user typed, for the parameter or field {@code name}; a fault is a 400 with its column and a caret. */
    static Filter parseFilter(String text, String name) throws ApiException {
        try {
            return Filter.parse(text);
        } catch (FilterException e) {
            throw new ApiException(ApiError.of(400, "invalid " + name + ": " + e.getMessage(), g -> {
                g.writeStringField("parameter", name);
                g.writeStringField("expression", text);
                g.writeNumberField("column", e.column());
                g.writeStringField("caret", e.caretUnder(text));
            }));
        }
    }

    private static long number(ServiceRequest request, String name, long absent, long min, long max) throws ApiException {
        Optional<String> text = request.query(name);
        if (text.isEmpty()) {
            return absent;
        }
        try {
            long value = Long.parseLong(text.get());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ApiException(400, name + " must be a whole number from " + min + " to " + max
                    + ", not '" + text.get() + "'");
        }
    }
}
