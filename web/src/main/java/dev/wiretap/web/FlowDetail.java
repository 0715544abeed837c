package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.content.ImageHeader;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Timings;
import dev.wiretap.proxy.flow.TlsHandshake;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * One flow whole, as {@code GET /api/flows/{n}} sends it: the row's fields, then the connection (client and server
 * addresses, a new or reused upstream connection, the TLS with the client and with the origin), timings, rules, notes,
 * the error with its cause, and both messages with their start lines, fields in wire order (names' case and duplicates
 * kept) and bodies decoded ({@link BodyDecoding}), in base64, with how to show them, for text the text, and the bytes
 * as they flowed beside them when those differ; a text/event-stream body also as its events, a body still streaming
 * marked {@code growing}; and a WebSocket's messages ({@code webSocket}, else null). Written on the API's thread from
 * a flow read out of the store (for a flow in flight, the live one: what has come so far). Stateless.
 */
final class FlowDetail {

    private FlowDetail() {
    }

    static void write(Flow flow, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeFieldName("summary");
        FlowSummary.of(flow).writeTo(g, null);
        g.writeStringField("client", flow.client().getAddress().getHostAddress() + ":" + flow.client().getPort());
        FlowSummary.nullable(g, "server", flow.serverAddress());
        FlowSummary.nullable(g, "upstream", flow.serverAddress().isEmpty() ? "" : flow.isReusedUpstream() ? "reused" : "new");
        tls(g, "clientTls", flow.clientTls());
        tls(g, "upstreamTls", flow.upstreamTls());
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
            response(response, !flow.isDone(), g);
        }
        if (flow.webSocket().isPresent()) {
            g.writeObjectFieldStart("webSocket");
            MessagesJson.write(flow.webSocket().get(), 0, g);
            g.writeEndObject();
        } else {
            g.writeNullField("webSocket");
        }
        g.writeEndObject();
    }

    /** {@code {version, cipher, sni}} of one side's TLS, or null for a plain connection. */
    private static void tls(JsonGenerator g, String name, Optional<TlsHandshake> tls) throws IOException {
        if (tls.isEmpty()) {
            g.writeNullField(name);
            return;
        }
        g.writeObjectFieldStart(name);
        g.writeStringField("version", tls.get().protocol());
        g.writeStringField("cipher", tls.get().cipherSuite());
        FlowSummary.nullable(g, "sni", tls.get().serverName());
        g.writeEndObject();
    }

    /**
     * Each phase in ms, null when it did not happen. As in HAR, {@code connect} is the whole of opening the connection,
     * the TLS handshake ({@code tls}) included.
     */
    private static void timings(Timings t, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("timings");
        millis(g, "dns", t.dnsNanos());
        millis(g, "connect", t.connectWithSslNanos());
        millis(g, "tls", t.sslNanos());
        millis(g, "send", t.sendNanos());
        millis(g, "wait", t.waitNanos());
        millis(g, "receive", t.receiveNanos());
        millis(g, "total", t.totalNanos());
        g.writeEndObject();
    }

    private static void request(Request request, JsonGenerator g) throws IOException {
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

    private static void response(Response response, boolean inFlight, JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("response");
        g.writeStringField("version", response.version().text());
        g.writeNumberField("status", response.status());
        g.writeStringField("reason", response.reason());
        g.writeStringField("startLine", response.version().text() + " " + response.status()
                + (response.reason().isEmpty() ? "" : " " + response.reason()));
        headers(response.headers(), g);
        Body body = response.body();
        body(response.headers(), body, g);
        g.writeBooleanField("growing", inFlight && response.isBodyGrowing());
        if (dev.wiretap.proxy.content.EventStream.isEventStream(response.headers().first("Content-Type").orElse(""))) {
            MessagesJson.events(body, g);
        }
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
     * size (bytes that flowed), captured, truncated (cut at the capture cap), contentType, codings (the content codings
     * it flowed with, null for none), decoded (whether the bytes shown have them undone), decodedSize, decodeNote (why
     * decoding stopped short, or null), kind (how to show it), image (for an image its format and pixels, when its
     * header says), base64 (the bytes shown), text (for text kinds, else null), wireBase64 (the captured bytes as they
     * flowed when they differ from those shown, else null).
     */
    private static void body(Headers headers, Body body, JsonGenerator g) throws IOException {
        BodyDecoding.ShownBody shown = BodyDecoding.show(headers, body);
        String contentType = headers.first("Content-Type").orElse("");
        boolean grpc = dev.wiretap.proxy.content.GrpcMessages.isGrpc(headers) && !shown.isStillEncoded();
        BodyKind kind = grpc ? BodyKind.GRPC : BodyKind.of(contentType, shown.bytes(), shown.isStillEncoded());
        Optional<ImageHeader> image = shown.isStillEncoded() ? Optional.empty() : ImageHeader.read(shown.bytes());
        if (image.isPresent() && kind == BodyKind.BINARY) {
            kind = BodyKind.IMAGE; // an image sent untyped, or as application/octet-stream
        }
        g.writeObjectFieldStart("body");
        g.writeNumberField("size", body.size());
        g.writeNumberField("captured", body.capturedLength());
        g.writeBooleanField("truncated", body.isTruncated());
        FlowSummary.nullable(g, "contentType", contentType);
        FlowSummary.nullable(g, "codings", shown.codings());
        g.writeBooleanField("decoded", shown.decoded());
        g.writeNumberField("decodedSize", shown.bytes().length);
        FlowSummary.nullable(g, "decodeNote", shown.note());
        g.writeStringField("kind", kind.name().toLowerCase(Locale.ROOT));
        if (image.isPresent() && kind == BodyKind.IMAGE) {
            g.writeObjectFieldStart("image");
            g.writeStringField("mediaType", image.get().mediaType());
            if (image.get().hasSize()) {
                g.writeNumberField("width", image.get().width());
                g.writeNumberField("height", image.get().height());
            }
            g.writeEndObject();
        } else {
            g.writeNullField("image");
        }
        g.writeStringField("base64", Base64.getEncoder().encodeToString(shown.bytes()));
        boolean text = switch (kind) {
            case JSON, HTML, XML, JAVASCRIPT, CSS, TEXT -> true;
            default -> false;
        };
        if (grpc) {
            g.writeStringField("text", String.join("\n", dev.wiretap.proxy.content.GrpcMessages.lines(shown.bytes())));
        } else if (text) {
            g.writeStringField("text", new String(shown.bytes(), shown.charset()));
        } else {
            g.writeNullField("text");
        }
        if (shown.decoded()) {
            g.writeStringField("wireBase64", Base64.getEncoder().encodeToString(body.bytes()));
        } else {
            g.writeNullField("wireBase64");
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
