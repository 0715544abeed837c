package dev.wiretap.web;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.export.BodyFile;
import dev.wiretap.proxy.export.CurlCommand;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One flow out of wiretap, on the engine's exporters as the console's {@code curl} and {@code save body} use them
 * (docs/web-api.md):
 *
 * <ul>
 * <li>{@code GET /api/flows/{n}/curl?proxy=&insecure=&oneLine=}: a curl command line that sends the request again
 *     ({@link CurlCommand}), straight to the origin or through wiretap with its CA, {@code -k}, on one line;</li>
 * <li>{@code GET /api/flows/{n}/body/request}, {@code .../body/response}: the body as a file, its content codings undone
 *     ({@link BodyFile}), as a download streamed from the decoder.</li>
 * </ul>
 *
 * Called on the UI's connection threads; keeps nothing.
 */
final class FlowExports {

    /** File name extensions for the media types a saved body most often has; others are {@code .bin}. */
    private static final Map<String, String> EXTENSIONS = Map.ofEntries(Map.entry("application/json", "json"),
            Map.entry("text/html", "html"), Map.entry("text/plain", "txt"), Map.entry("text/css", "css"),
            Map.entry("text/javascript", "js"), Map.entry("application/javascript", "js"), Map.entry("text/xml", "xml"),
            Map.entry("application/xml", "xml"), Map.entry("image/png", "png"), Map.entry("image/jpeg", "jpg"),
            Map.entry("image/gif", "gif"), Map.entry("image/webp", "webp"), Map.entry("image/svg+xml", "svg"),
            Map.entry("image/x-icon", "ico"), Map.entry("image/vnd.microsoft.icon", "ico"), Map.entry("image/avif", "avif"),
            Map.entry("application/pdf", "pdf"), Map.entry("text/csv", "csv"), Map.entry("font/woff2", "woff2"),
            Map.entry("application/x-www-form-urlencoded", "txt"), Map.entry("application/wasm", "wasm"));

    private final Wiretap wiretap;

    FlowExports(Wiretap wiretap) {
        this.wiretap = wiretap;
    }

    /** {@code GET /api/flows/{n}/curl}: the command, with the notes its comment lines hold. */
    ServiceResponse curl(String number, ServiceRequest request) throws ApiException {
        Flow flow = FlowsApi.held(wiretap, number);
        boolean throughWiretap = flag(request, "proxy");
        boolean insecure = flag(request, "insecure");
        boolean oneLine = flag(request, "oneLine");
        CurlCommand curl;
        try {
            Optional<CurlCommand.Proxy> proxy = throughWiretap ? Optional.of(CurlCommand.Proxy.of(wiretap, flow.request()))
                    : Optional.empty();
            curl = CurlCommand.of(flow.request(), new CurlCommand.Options(proxy, insecure, oneLine));
        } catch (IllegalArgumentException e) {
            throw new ApiException(409, "no curl command for flow " + flow.id() + ": " + e.getMessage());
        }
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("id", flow.id());
            g.writeStringField("text", curl.text());
            g.writeArrayFieldStart("notes");
            for (String note : curl.notes()) {
                g.writeString(note);
            }
            g.writeEndArray();
            g.writeBooleanField("proxy", throughWiretap);
            g.writeBooleanField("insecure", insecure);
            g.writeBooleanField("oneLine", oneLine);
            g.writeEndObject();
        });
    }

    /**
     * {@code GET /api/flows/{n}/body/{side}}: the request's or the response's body, decoded, as an attachment named
     * for the URL's last segment when that is a plain file name, else {@code flow-N-side.EXT} by its Content-Type.
     * Always {@code application/octet-stream} in a sandbox: a body is the origin's content, never a page of the UI's.
     */
    ServiceResponse body(String number, String side) throws ApiException {
        Flow flow = FlowsApi.held(wiretap, number);
        boolean request = switch (side) {
            case "request" -> true;
            case "response" -> false;
            default -> throw new ApiException(404, "no such body: " + side + " (there are request and response)");
        };
        String what = "flow " + flow.id() + "'s " + side;
        Headers headers;
        Body body;
        if (request) {
            headers = flow.request().headers();
            body = flow.request().body();
        } else {
            Response response = flow.response().orElseThrow(() -> new ApiException(409, what + ": there is none"
                    + (flow.isDone() ? "" : " yet")));
            headers = response.headers();
            body = response.body();
        }
        if (body.isEmpty()) {
            throw new ApiException(409, what + " has no body");
        }
        String name = fileName(flow, side, headers, request);
        return StaticAssets.secured(ServiceResponse.streamed(200, "application/octet-stream", stream -> {
            try (PartedOutput out = new PartedOutput(stream)) {
                BodyFile.write(out, headers, body);
            }
        })).with("Content-Disposition", "attachment; filename=\"" + name + "\"")
                .with("Content-Security-Policy", "default-src 'none'; sandbox");
    }

    /** {@code logo.png}, or {@code flow-12-response.json}: plain ASCII, safe in a quoted Content-Disposition. */
    static String fileName(Flow flow, String side, Headers headers, boolean request) {
        if (!request) {
            Optional<String> last = flow.request().destination().map(d -> {
                String path = d.pathAndQuery();
                int q = path.indexOf('?');
                path = q < 0 ? path : path.substring(0, q);
                return path.substring(path.lastIndexOf('/') + 1);
            });
            if (last.isPresent() && last.get().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.[A-Za-z0-9]{1,8}")) {
                return last.get();
            }
        }
        String essence = MediaType.of(headers).essence().toLowerCase(Locale.ROOT);
        return "flow-" + flow.id() + "-" + side + "." + EXTENSIONS.getOrDefault(essence, "bin");
    }

    /** A query flag: {@code true} or {@code false}, absent is false; anything else is a 400. */
    private static boolean flag(ServiceRequest request, String name) throws ApiException {
        Optional<String> value = request.query(name);
        if (value.isEmpty() || value.get().equals("false")) {
            return false;
        }
        if (value.get().equals("true")) {
            return true;
        }
        throw new ApiException(400, name + " must be true or false, not '" + value.get() + "'");
    }
}
