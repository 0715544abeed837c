package dev.wiretap.web;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.service.ServiceException;
import dev.wiretap.proxy.service.ServiceHandler;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every request to the web UI: through the {@link AccessGate} first, then to the page, a static file, or the API
 * (docs/web-api.md): the flows ({@link FlowsApi}), what to do with one ({@link FlowActions}), one out as a curl command
 * or a body file ({@link FlowExports}), the store as HAR or session files and back ({@link FlowArchives}), the
 * intercept ({@link InterceptApi}), wiretap's state ({@link StateApi}), and {@code /api/info}. A path that is not there is 404, a
 * method a path does not take 405 with {@code Allow}; the API answers in JSON, refusals of bad input included. Called
 * on the UI's connection threads.
 */
final class WebRoutes implements ServiceHandler {

    private final AccessGate gate;
    private final StaticAssets assets;
    private final FlowsApi flows;
    private final FlowActions actions;
    private final FlowExports exports;
    private final FlowArchives archives;
    private final InterceptApi intercept;
    private final StateApi state;
    private final Wiretap wiretap;

    WebRoutes(AccessGate gate, StaticAssets assets, FlowsApi flows, FlowActions actions, FlowExports exports,
              FlowArchives archives, InterceptApi intercept, StateApi state, Wiretap wiretap) {
        this.gate = gate;
        this.assets = assets;
        this.flows = flows;
        this.actions = actions;
        this.exports = exports;
        this.archives = archives;
        this.intercept = intercept;
        this.state = state;
        this.wiretap = wiretap;
    }

    @Override
    public ServiceResponse handle(ServiceRequest request) throws IOException, ServiceException {
        Optional<ServiceResponse> refused = gate.check(request);
        if (refused.isPresent()) {
            return refused.get();
        }
        String path = request.path();
        String method = request.method();
        if (path.startsWith("/api/")) {
            try {
                return api(path.substring(5).split("/", -1), request).answer(method);
            } catch (ApiException e) {
                return e.answer();
            }
        }
        Optional<ServiceResponse> file = path.equals("/") || path.equals("/index.html") ? Optional.of(assets.page())
                : assets.file(path);
        if (file.isEmpty()) {
            return StaticAssets.secured(ServiceResponse.text(404, "wiretap web UI: nothing at " + path + "\n"));
        }
        try {
            return new Methods().on("GET", file::get).answer(method);
        } catch (ApiException e) {
            return e.answer(); // a file's answer is never one
        }
    }

    /** The methods {@code /api/} + {@code parts} takes, and what each answers. */
    private Methods api(String[] parts, ServiceRequest request) throws ApiException {
        String first = parts[0];
        if (parts.length == 1) {
            return switch (first) {
                case "flows" -> new Methods().on("GET", () -> flows.list(request)).on("DELETE", flows::clear);
                case "events" -> new Methods().on("GET", () -> flows.events(request));
                case "info" -> new Methods().on("GET", this::info);
                case "intercept" -> new Methods().on("GET", intercept::state).on("PUT", () -> intercept.set(request))
                        .on("DELETE", intercept::off);
                case "rules" -> new Methods().on("GET", state::rules);
                case "stats" -> new Methods().on("GET", state::stats);
                case "ca" -> new Methods().on("GET", state::ca);
                case "import" -> new Methods().on("POST", () -> archives.importFile(request));
                default -> throw noSuchApi(parts);
            };
        }
        if (parts.length == 2 && first.equals("flows")) {
            return new Methods().on("GET", () -> flows.detail(parts[1]));
        }
        if (parts.length == 2 && first.equals("intercept") && parts[1].equals("resume-all")) {
            return new Methods().on("POST", intercept::resumeAll);
        }
        if (parts.length == 2 && first.equals("ca")) {
            return new Methods().on("GET", () -> state.certificate(parts[1]));
        }
        if (parts.length == 2 && first.equals("export")) {
            return switch (parts[1]) {
                case "har" -> new Methods().on("GET", () -> archives.har(request));
                case "session" -> new Methods().on("GET", archives::session);
                default -> throw noSuchApi(parts);
            };
        }
        if (parts.length == 3 && first.equals("flows")) {
            String n = parts[1];
            return switch (parts[2]) {
                case "edit" -> new Methods().on("GET", () -> intercept.editText(n)).on("PUT", () -> intercept.edit(n, request));
                case "resume" -> new Methods().on("POST", () -> intercept.resume(n));
                case "drop" -> new Methods().on("POST", () -> intercept.drop(n));
                case "request-text" -> new Methods().on("GET", () -> actions.requestText(n));
                case "replay" -> new Methods().on("POST", () -> actions.replay(n, request));
                case "mock" -> new Methods().on("GET", () -> actions.mock(n)).on("POST", () -> actions.writeMock(n));
                case "messages" -> new Methods().on("GET", () -> flows.messages(n, request));
                case "curl" -> new Methods().on("GET", () -> exports.curl(n, request));
                default -> throw noSuchApi(parts);
            };
        }
        if (parts.length == 4 && first.equals("flows") && parts[2].equals("body")) {
            return new Methods().on("GET", () -> exports.body(parts[1], parts[3]));
        }
        throw noSuchApi(parts);
    }

    private static ApiException noSuchApi(String[] parts) {
        return new ApiException(404, "no such API: /api/" + String.join("/", parts) + " (see docs/web-api.md)");
    }

    /** {@code GET /api/info}: which wiretap this is and where its proxy listens. */
    private ServiceResponse info() {
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeStringField("version", Wiretap.version());
            g.writeStringField("proxy", wiretap.address().getAddress().getHostAddress() + ":" + wiretap.address().getPort());
            g.writeNumberField("held", wiretap.history().size());
            g.writeNumberField("evicted", wiretap.history().evictedCount());
            g.writeNumberField("captureMaxBody", wiretap.settings().capture().maxBodyBytes());
            g.writeBooleanField("httpsInterception", wiretap.certificateAuthority().isPresent());
            g.writeNumberField("maxImportBytes", archives.maxImportBytes());
            g.writeEndObject();
        });
    }

    /** Bad input the listener refused before any route: JSON, as the API answers everything. */
    @Override
    public ServiceResponse refusal(int status, String reason) {
        return ApiError.of(status, reason);
    }

    /** An answer to one method of a path. */
    @FunctionalInterface
    private interface Answer {
        ServiceResponse get() throws IOException, ServiceException, ApiException;
    }

    /** The methods a path takes, in the order {@code Allow} names them; HEAD is answered as GET. */
    private static final class Methods {
        private final Map<String, Answer> answers = new LinkedHashMap<>();

        Methods on(String method, Answer answer) {
            answers.put(method, answer);
            return this;
        }

        ServiceResponse answer(String method) throws IOException, ServiceException, ApiException {
            Answer answer = answers.get(method.equals("HEAD") ? "GET" : method);
            if (answer == null) {
                String allow = String.join(", ", answers.keySet()).replace("GET", "GET, HEAD");
                return ApiError.of(405, method + " is not allowed here; allowed: " + allow).with("Allow", allow);
            }
            return answer.get();
        }
    }
}
