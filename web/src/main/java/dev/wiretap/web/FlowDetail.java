package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Timings;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/**
 * One flow whole, as {@code GET /api/flows/{n}} sends it: the row's fields, then the connection (client and server
 * addresses, a new or reused upstream connection), timings, rules, notes, the error with its cause, and both messages
 * with their start lines, fields in wire order (names' case and duplicates kept) and bodies as they flowed, in base64,
 * with how to show them and, for text, the text. Written on the API's thread from a flow read out of the store.
 */
final class FlowDetail {

    private final BodyDecoding decoding;

    FlowDetail(BodyDecoding decoding) {
        this.decoding = decoding;
    }

    void write(Flow flow, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeFieldName("summary");
        FlowSummary.of(flow).writeTo(g, null);
        g.writeStringField("client", flow.client().getAddress().getHostAddress() + ":" + flow.client().getPort());
        FlowSummary.nullable(g, "server", flow.serverAddress());
        FlowSummary.nullable(g, "upstream", flow.serverAddress().isEmpty() ? "" : flow.isReusedUpstream() ? "reused" : "new");
        g.writeBooleanField("intercepted", flow.isIntercepted());
        strings(g, "rules", flow.appliedRules());
        strings(g, "notes", flow.notes());
        FlowError error = flow.error().orElse(null);
        if (error == null) {
            g.writeNullField("error");
        } else {
            g.writeObjectFieldStart("error");
            g.writeStringField("kind", error.kind().name().toLowerCase(Locale.ROOT));
            g.writeStringField("message", error.message());
            g.writeEndObject();
        }
        timings(flow.timings(), g);
        request(flow.request(), g);
        Response response = flow.response().orElse(null);
        if (response == null) {
            g.writeNullField("response");
        } else {
            response(response, g);
        }
        g.writeEndObject();
    }

    /** Each phase in ms, null when it did not happen ({@code tls} until the engine records it). */
    private static void timings(Timings t, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("timings");
        millis(g, "dns", t.dnsNanos());
        millis(g, "connect", t.connectNanos());
        g.writeNullField("tls");
        millis(g, "send", t.sendNanos());
        millis(g, "wait", t.waitNanos());
        millis(g, "receive", t.receiveNanos());
        millis(g, "total", t.totalNanos());
        g.writeEndObject();
    }

    private void request(Request request, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("request");
        g.writeStringField("method", request.method());
        g.writeStringField("target", request.target());
        g.writeStringField("version", request.version().text());
        g.writeStringField("url", request.url());
        g.writeStringField("startLine", request.method() + " " + request.target() + " " + request.version().text());
        headers(request.headers(), g);
        body(request.headers(), request.body(), g);
        g.writeEndObject();
    }

    private void response(Response response, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("response");
        g.writeStringField("version", response.version().text());
        g.writeNumberField("status", response.status());
        g.writeStringField("reason", response.reason());
        g.writeStringField("startLine", response.version().text() + " " + response.status()
                + (response.reason().isEmpty() ? "" : " " + response.reason()));
        headers(response.headers(), g);
        body(response.headers(), response.body(), g);
        if (response.trailers().isPresent()) {
            g.writeArrayFieldStart("trailers");
            Headers t = response.trailers().get();
            for (int i = 0; i < t.size(); i++) {
                g.writeStartArray();
                g.writeString(t.name(i));
                g.writeString(t.value(i));
                g.writeEndArray();
            }
            g.writeEndArray();
        }
        var grpc = dev.wiretap.proxy.content.GrpcMessages.status(response.trailers().orElse(response.headers()));
        if (grpc.isPresent()) {
            g.writeStringField("grpcStatus", grpc.get());
        }
        g.writeEndObject();
    }

    /** As {@code [name, value]} pairs in wire order, names as they were written. */
    private static void headers(Headers headers, JsonGenerator g) throws IOException {
        g.writeArrayFieldStart("headers");
        for (int i = 0; i < headers.size(); i++) {
            g.writeStartArray();
            g.writeString(headers.name(i));
            g.writeString(headers.value(i));
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /**
     * size (bytes that flowed), captured, truncated (cut at the capture cap), contentType, codings (Content-Encoding,
     * null for none), decoded (whether the shown bytes have it undone), kind (how to show it), base64 (the bytes
     * shown), text (for text kinds, else null).
     */
    private void body(Headers headers, Body body, JsonGenerator g) throws IOException {
        BodyDecoding.ShownBody shown = decoding.show(headers, body);
        String contentType = headers.first("Content-Type").orElse("");
        boolean grpc = dev.wiretap.proxy.content.GrpcMessages.isGrpc(headers) && !shown.isStillEncoded();
        BodyKind kind = grpc ? BodyKind.GRPC : BodyKind.of(contentType, shown.bytes(), shown.isStillEncoded());
        g.writeObjectFieldStart("body");
        g.writeNumberField("size", body.size());
        g.writeNumberField("captured", body.capturedLength());
        g.writeBooleanField("truncated", body.isTruncated());
        FlowSummary.nullable(g, "contentType", contentType);
        FlowSummary.nullable(g, "codings", shown.codings());
        g.writeBooleanField("decoded", shown.decoded());
        g.writeStringField("kind", kind.name().toLowerCase(Locale.ROOT));
        g.writeStringField("base64", Base64.getEncoder().encodeToString(shown.bytes()));
        boolean text = switch (kind) {
            case JSON, HTML, XML, JAVASCRIPT, CSS, TEXT -> true;
            default -> false;
        };
        if (grpc) {
            g.writeStringField("text", String.join("\n", dev.wiretap.proxy.content.GrpcMessages.lines(shown.bytes())));
        } else if (text) {
            g.writeStringField("text", new String(shown.bytes(), BodyKind.charset(contentType)));
        } else {
            g.writeNullField("text");
        }
        g.writeEndObject();
    }

    private static void millis(JsonGenerator g, String name, long nanos) throws IOException {
        if (nanos < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, Math.round(nanos / 1000.0) / 1000.0);
        }
    }

    private static void strings(JsonGenerator g, String name, java.util.List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
