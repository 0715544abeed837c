package dev.wiretap.web;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.service.ServiceHandler;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.util.Optional;

/**
 * Every request to the web UI: through the {@link AccessGate} first, then to the page, a static file, or the API
 * ({@link FlowsApi}, and {@code /api/info}). A path that is not there is 404, a method a path does not take 405 with
 * {@code Allow}; the API answers in JSON, refusals of bad input included. Called on the UI's connection threads.
 */
final class WebRoutes implements ServiceHandler {

    private final AccessGate gate;
    private final StaticAssets assets;
    private final FlowsApi flows;
    private final Wiretap wiretap;

    WebRoutes(AccessGate gate, StaticAssets assets, FlowsApi flows, Wiretap wiretap) {
        this.gate = gate;
        this.assets = assets;
        this.flows = flows;
        this.wiretap = wiretap;
    }

    @Override
    public ServiceResponse handle(ServiceRequest request) {
        Optional<ServiceResponse> refused = gate.check(request);
        if (refused.isPresent()) {
            return refused.get();
        }
        String path = request.path();
        String method = request.method();
        if (path.startsWith("/api/")) {
            return api(method, path, request);
        }
        if (path.equals("/") || path.equals("/index.html")) {
            return only(method, "GET", () -> assets.page());
        }
        Optional<ServiceResponse> file = assets.file(path);
        if (file.isPresent()) {
            return only(method, "GET", file::get);
        }
        return StaticAssets.secured(ServiceResponse.text(404, "wiretap web UI: nothing at " + path + "\n"));
    }

    private ServiceResponse api(String method, String path, ServiceRequest request) {
        if (path.equals("/api/flows")) {
            return switch (method) {
                case "GET", "HEAD" -> flows.list(request);
                case "DELETE" -> flows.clear();
                default -> notAllowed(method, "GET, HEAD, DELETE");
            };
        }
        if (path.startsWith("/api/flows/") && path.indexOf('/', 11) < 0) {
            return only(method, "GET", () -> flows.detail(path.substring(11)));
        }
        if (path.startsWith("/api/flows/") && path.endsWith("/messages") && path.indexOf('/', 11) == path.length() - 9) {
            return only(method, "GET", () -> flows.messages(path.substring(11, path.length() - 9), request));
        }
        if (path.equals("/api/events")) {
            return only(method, "GET", () -> flows.events(request));
        }
        if (path.equals("/api/info")) {
            return only(method, "GET", this::info);
        }
        return ApiError.of(404, "no such API: " + path + " (see docs/web-api.md)");
    }

    /** {@code GET /api/info}: which wiretap this is and where its proxy listens. */
    private ServiceResponse info() {
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeStringField("version", Wiretap.version());
            g.writeStringField("proxy", wiretap.address().getAddress().getHostAddress() + ":" + wiretap.address().getPort());
            g.writeNumberField("held", wiretap.flows().size());
            g.writeNumberField("evicted", wiretap.flows().evictedCount());
            g.writeNumberField("captureMaxBody", wiretap.settings().capture().maxBodyBytes());
            g.writeEndObject();
        });
    }

    private static ServiceResponse only(String method, String allowed, java.util.function.Supplier<ServiceResponse> answer) {
        if (method.equals(allowed) || (allowed.equals("GET") && method.equals("HEAD"))) {
            return answer.get();
        }
        return notAllowed(method, allowed.equals("GET") ? "GET, HEAD" : allowed);
    }

    private static ServiceResponse notAllowed(String method, String allow) {
        return ApiError.of(405, method + " is not allowed here; allowed: " + allow).with("Allow", allow);
    }

    /** Bad input the listener refused before any route: JSON, as the API answers everything. */
    @Override
    public ServiceResponse refusal(int status, String reason) {
        return ApiError.of(status, reason);
    }
}
