package dev.wiretap.web;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.event.FlowStore;
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
    private final FlowDetail detail = new FlowDetail(BodyDecoding.AS_FLOWED);

    FlowsApi(Wiretap wiretap, LiveFeed feed) {
        this.wiretap = wiretap;
        this.feed = feed;
    }

    /** A request the API refuses with 400, and why (a filter's fault with its column). */
    private static final class BadRequest extends Exception {
        final ServiceResponse answer;

        BadRequest(ServiceResponse answer) {
            super(null, null, false, false);
            this.answer = answer;
        }
    }

    /** {@code GET /api/flows?filter=&highlight=&limit=&before=}: a page of rows, newest first. */
    ServiceResponse list(ServiceRequest request) {
        Filter filter;
        Optional<Filter> highlight;
        int limit;
        long before;
        try {
            filter = filter(request, "filter").orElse(Filter.ALL);
            highlight = filter(request, "highlight");
            limit = (int) number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
            before = number(request, "before", FlowStore.NEWEST, 0, FlowStore.NEWEST);
        } catch (BadRequest e) {
            return e.answer;
        }
        boolean bodies = filter.readsBodies() || highlight.map(Filter::readsBodies).orElse(false);
        Predicate<Flow> selects = flow -> FlowSummary.isListed(flow) && FlowMatch.matches(filter, flow);
        FlowStore store = wiretap.flows();
        FlowStore.Page page = store.readBack(before, limit, bodies, selects);
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
    ServiceResponse detail(String number) {
        long id;
        try {
            id = Long.parseLong(number);
            if (id < 1 || !number.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            return ApiError.of(400, "'" + number + "' is not a flow number (flows are numbered from 1)");
        }
        Optional<Flow> flow = wiretap.flows().get(id);
        if (flow.isEmpty()) {
            return ApiError.of(404, "flow " + id + " is not held: there was none yet, or it was cleared, or let go"
                    + " to stay within the flow store's memory budget");
        }
        return JsonBody.response(200, g -> detail.write(flow.get(), g));
    }

    /**
     * {@code GET /api/flows/{n}/messages?from=K}: a WebSocket's kept messages from index K on (default 0), for a view that
     * follows the socket; 404 when the flow is not held or is no WebSocket.
     */
    ServiceResponse messages(String number, ServiceRequest request) {
        long id;
        long from;
        try {
            id = Long.parseLong(number);
            if (id < 1 || !number.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
            from = number(request, "from", 0, 0, Long.MAX_VALUE);
        } catch (NumberFormatException e) {
            return ApiError.of(400, "'" + number + "' is not a flow number (flows are numbered from 1)");
        } catch (BadRequest e) {
            return e.answer;
        }
        Optional<Flow> flow = wiretap.flows().get(id);
        if (flow.isEmpty() || flow.get().webSocket().isEmpty()) {
            return ApiError.of(404, flow.isEmpty() ? "flow " + id + " is not held" : "flow " + id + " is no WebSocket");
        }
        Flow f = flow.get();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("id", f.id());
            g.writeBooleanField("open", !f.isDone());
            MessagesJson.write(f.webSocket().get(), from, g);
            g.writeEndObject();
        });
    }

    /** {@code DELETE /api/flows}: forgets the finished flows (those in flight stay), as the console's clear does. */
    ServiceResponse clear() {
        int before = wiretap.flows().size();
        wiretap.flows().clear();
        int cleared = Math.max(0, before - wiretap.flows().size());
        feed.cleared();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("cleared", cleared);
            g.writeNumberField("held", wiretap.flows().size());
            g.writeEndObject();
        });
    }

    /** {@code GET /api/events?filter=&highlight=}: the live stream of the flows that change. */
    ServiceResponse events(ServiceRequest request) {
        Filter filter;
        Optional<Filter> highlight;
        try {
            filter = filter(request, "filter").orElse(Filter.ALL);
            highlight = filter(request, "highlight");
        } catch (BadRequest e) {
            return e.answer;
        }
        EventClient client = new EventClient(filter, highlight);
        return ServiceResponse.streamed(200, "text/event-stream; charset=utf-8", stream -> {
            client.hello(wiretap.flows().size(), wiretap.flows().evictedCount());
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
    private static Optional<Filter> filter(ServiceRequest request, String name) throws BadRequest {
        Optional<String> text = request.query(name).filter(t -> !t.isBlank());
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Filter.parse(text.get()));
        } catch (FilterException e) {
            throw new BadRequest(ApiError.of(400, "invalid " + name + ": " + e.getMessage(), g -> {
                g.writeStringField("parameter", name);
                g.writeStringField("expression", text.get());
                g.writeNumberField("column", e.column());
                g.writeStringField("caret", e.caretUnder(text.get()));
            }));
        }
    }

    private static long number(ServiceRequest request, String name, long absent, long min, long max) throws BadRequest {
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
            throw new BadRequest(ApiError.of(400, name + " must be a whole number from " + min + " to " + max
                    + ", not '" + text.get() + "'"));
        }
    }
}
