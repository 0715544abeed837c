package dev.wiretap.web;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.addon.PausedFlow;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.edit.MessageTextException;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.service.ServiceException;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The intercept part of the JSON API (docs/web-api.md), the browser's face of the console's {@code intercept},
 * {@code edit}, {@code resume} and {@code drop}, on the same engine ({@link InterceptAddon}) with the same message text
 * and checks ({@link HttpMessageText}):
 *
 * <ul>
 * <li>{@code GET /api/intercept}: the filter, the sides, and the flows waiting ({@link InterceptState});</li>
 * <li>{@code PUT /api/intercept} {@code {"filter": EXPR, "responses": false}}: pause what the filter selects, from now
 *     on; {@code DELETE /api/intercept}: pause nothing more (waiting flows keep waiting);</li>
 * <li>{@code POST /api/intercept/resume-all};</li>
 * <li>{@code GET /api/flows/{n}/edit}: the waiting message as HTTP text; {@code PUT} the edited text back: checked
 *     whole before anything changes, a mistake answered with its line;</li>
 * <li>{@code POST /api/flows/{n}/resume}, {@code POST /api/flows/{n}/drop}.</li>
 * </ul>
 *
 * Called on the UI's connection threads; the paused flows' own threads wait in the engine meanwhile.
 */
final class InterceptApi {

    private final Wiretap wiretap;
    private final LiveFeed feed;

    InterceptApi(Wiretap wiretap, LiveFeed feed) {
        this.wiretap = wiretap;
        this.feed = feed;
    }

    private InterceptAddon intercept() {
        return wiretap.intercept();
    }

    /** {@code GET /api/intercept}. */
    ServiceResponse state() {
        return JsonBody.response(200, g -> InterceptState.write(intercept(), g));
    }

    /** {@code PUT /api/intercept}: {@code filter} (required, not blank) and {@code responses} (default false). */
    ServiceResponse set(ServiceRequest request) throws IOException, ServiceException, ApiException {
        JsonNode body = ApiInput.jsonObject(request);
        JsonNode filterField = body.get("filter");
        if (filterField == null || !filterField.isTextual() || filterField.asText().isBlank()) {
            throw new ApiException(400, "filter must be a filter expression, such as host:example.com (host:* pauses"
                    + " every request); DELETE /api/intercept turns the intercept off");
        }
        JsonNode responsesField = body.get("responses");
        if (responsesField != null && !responsesField.isBoolean()) {
            throw new ApiException(400, "responses must be true or false");
        }
        Filter filter = FlowsApi.parseFilter(filterField.asText(), "filter");
        intercept().setFilter(filter, responsesField != null && responsesField.asBoolean());
        feed.interceptChanged();
        return state();
    }

    /** {@code DELETE /api/intercept}: pause nothing more; flows waiting keep waiting until let go. */
    ServiceResponse off() {
        intercept().clearFilter();
        feed.interceptChanged();
        return state();
    }

    /** {@code POST /api/intercept/resume-all}. */
    ServiceResponse resumeAll() {
        int n = intercept().resumeAll();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("resumed", n);
            g.writeEndObject();
        });
    }

    /** {@code POST /api/flows/{n}/resume}. */
    ServiceResponse resume(String number) throws ApiException {
        PausedFlow paused = paused(number);
        if (!intercept().resume(paused.flow().id())) {
            throw new ApiException(409, "flow " + paused.flow().id() + " went on already");
        }
        return done("resumed", paused.flow().id());
    }

    /** {@code POST /api/flows/{n}/drop}: the client's connection is cut without a response. */
    ServiceResponse drop(String number) throws ApiException {
        PausedFlow paused = paused(number);
        if (!intercept().drop(paused.flow().id())) {
            throw new ApiException(409, "flow " + paused.flow().id() + " went on already");
        }
        return done("dropped", paused.flow().id());
    }

    /**
     * {@code GET /api/flows/{n}/edit}: the message flow {@code n} waits at, as the text the console's {@code edit} opens
     * in the editor (a compressed body decoded; a body too large to hold, or not text, as one placeholder line).
     */
    ServiceResponse editText(String number) throws ApiException {
        PausedFlow paused = paused(number);
        HttpMessageText text = wiretap.messageText();
        Flow flow = paused.flow();
        String message = paused.side() == Flow.Side.REQUEST ? text.request(flow.request(), paused.bodyEditable())
                : text.response(flow.response().orElseThrow(), paused.bodyEditable());
        long remaining = Math.max(0, Duration.between(Instant.now(), paused.deadline()).toMillis());
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("id", flow.id());
            g.writeStringField("side", InterceptState.side(paused));
            g.writeStringField("text", message);
            g.writeBooleanField("bodyEditable", paused.bodyEditable());
            g.writeNumberField("remainingMs", remaining);
            g.writeEndObject();
        });
    }

    /**
     * {@code PUT /api/flows/{n}/edit}: the edited text, read back as the console reads it; the flow keeps waiting
     * (resume sends it on). A mistake changes nothing and is a 400 with its line.
     */
    ServiceResponse edit(String number, ServiceRequest request) throws IOException, ServiceException, ApiException {
        PausedFlow paused = paused(number);
        String edited = ApiInput.text(request);
        HttpMessageText text = wiretap.messageText();
        long id = paused.flow().id();
        try {
            if (paused.side() == Flow.Side.REQUEST) {
                intercept().replaceRequest(id, text.parseRequest(edited));
            } else {
                intercept().replaceResponse(id, text.parseResponse(edited));
            }
        } catch (MessageTextException e) {
            throw textMistake(e);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "flow " + id + " not changed: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiException(409, "flow " + id + " not changed: " + e.getMessage());
        }
        feed.interceptChanged();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("edited", id);
            g.writeStringField("side", InterceptState.side(paused));
            g.writeEndObject();
        });
    }

    /** Message text that does not read back: 400 with the line at fault (0: not one line) and the reason. */
    static ApiException textMistake(MessageTextException e) {
        return new ApiException(ApiError.of(400, e.getMessage(), g -> {
            g.writeNumberField("line", e.line());
            g.writeStringField("reason", e.reason());
        }));
    }

    /** Flow {@code number}, waiting at the intercept now: else 404 (not held) or 409 (not waiting). */
    private PausedFlow paused(String number) throws ApiException {
        long id = FlowsApi.flowNumber(number);
        return intercept().paused(id).orElseThrow(() -> {
            if (wiretap.history().get(id).isEmpty()) {
                return new ApiException(404, "flow " + id + " is not held");
            }
            List<PausedFlow> all = intercept().paused();
            return new ApiException(409, "flow " + id + " is not paused" + (all.isEmpty() ? " (none is)"
                    : "; paused: " + all.stream().map(p -> Long.toString(p.flow().id())).toList()));
        });
    }

    private static ServiceResponse done(String what, long id) {
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField(what, id);
            g.writeEndObject();
        });
    }
}
