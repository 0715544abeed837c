package dev.wiretap.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Timings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --log-format json} says about a finished exchange: one JSON object on one line. Like {@link LogLine}
 * it is copied out of the flow on the connection's thread (a few strings and numbers, no bodies), and written by
 * the log's own thread. Immutable. The fields (docs/reference.md, "Headless use and export"):
 *
 * <pre>
 * id, started (ISO 8601, UTC), client (ip:port), method, url, httpVersion, status (null without a response),
 * reason, contentType (null without one), requestBytes, responseBytes (body bytes; for a tunnel the bytes relayed
 * each way), durationMs, timings {dns, connect, ssl, send, wait, receive} in ms (null for a phase that did not
 * happen; ssl, the TLS handshake with the origin, is counted in connect too, as in HAR),
 * upstream ("new", "reused" or null), server (ip:port or null), rules (names of the rules that changed it),
 * error (null or {kind, message}); with -v also requestHeaders and responseHeaders, as [name, value] pairs in order.
 * </pre>
 */
record JsonLogLine(long id, Instant started, String client, String method, String url, String httpVersion, int status,
                   String reason, String contentType, long requestBytes, long responseBytes, Timings timings,
                   String upstream, String server, List<String> rules, FlowError error, List<String> requestHeaders,
                   List<String> responseHeaders) {

    private static final JsonFactory JSON = new JsonFactoryBuilder().characterEscapes(new JsonEscapes()).build();

    static JsonLogLine of(Flow flow, boolean verbose) {
        Response response = flow.response().orElse(null);
        boolean tunnel = flow.request().isMethod("CONNECT");
        return new JsonLogLine(flow.id(), flow.started(),
                flow.client().getAddress().getHostAddress() + ":" + flow.client().getPort(),
                flow.request().method(), flow.request().url(), flow.request().version().text(),
                response == null ? -1 : response.status(), response == null ? "" : response.reason(),
                response == null ? "" : response.headers().first("Content-Type").orElse(""),
                tunnel ? flow.bytesFromClient() : flow.request().body().size(),
                tunnel ? flow.bytesToClient() : response == null ? 0 : response.body().size(),
                flow.timings(), flow.isReusedUpstream() ? "reused" : flow.serverAddress().isEmpty() ? "" : "new",
                flow.serverAddress(), flow.appliedRules(), flow.error().orElse(null),
                verbose ? pairs(flow.request().headers()) : List.of(),
                verbose && response != null ? pairs(response.headers()) : List.of());
    }

    /** About the bytes this line holds, for the log's queue, which is bounded by bytes ({@link LogQueue}). */
    long sizeBytes() {
        return LogQueue.sizeOf(client) + LogQueue.sizeOf(method) + LogQueue.sizeOf(url) + LogQueue.sizeOf(httpVersion)
                + LogQueue.sizeOf(reason) + LogQueue.sizeOf(contentType) + LogQueue.sizeOf(upstream)
                + LogQueue.sizeOf(server) + LogQueue.sizeOf(rules) + (error == null ? 0 : LogQueue.sizeOf(error.message()))
                + LogQueue.sizeOf(requestHeaders) + LogQueue.sizeOf(responseHeaders);
    }

    /**
     * The JSON log's first record, before any exchange: {@code {"event":"start","version":...,"proxy":"http://...",
     * "webUi":"http://...?token=..."}} ({@code webUi} null when the UI is off).
     */
    static String startRecord(String version, String proxy, java.util.Optional<String> webUi) {
        StringBuilder sb = new StringBuilder(128);
        try (JsonGenerator g = JSON.createGenerator(new Appender(sb))) {
            g.writeStartObject();
            g.writeStringField("event", "start");
            g.writeStringField("version", version);
            g.writeStringField("proxy", proxy);
            if (webUi.isPresent()) {
                g.writeStringField("webUi", webUi.get());
            } else {
                g.writeNullField("webUi");
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** Names and values, alternating. */
    private static List<String> pairs(Headers headers) {
        List<String> pairs = new ArrayList<>(2 * headers.size());
        for (int i = 0; i < headers.size(); i++) {
            pairs.add(headers.name(i));
            pairs.add(headers.value(i));
        }
        return List.copyOf(pairs);
    }

    /** Appends the object and a line break. */
    void appendTo(StringBuilder sb) {
        try (JsonGenerator g = JSON.createGenerator(new Appender(sb))) {
            g.writeStartObject();
            g.writeNumberField("id", id);
            g.writeStringField("started", started.toString());
            g.writeStringField("client", client);
            g.writeStringField("method", method);
            g.writeStringField("url", url);
            g.writeStringField("httpVersion", httpVersion);
            if (status < 0) {
                g.writeNullField("status");
            } else {
                g.writeNumberField("status", status);
            }
            g.writeStringField("reason", reason);
            nullable(g, "contentType", contentType);
            g.writeNumberField("requestBytes", requestBytes);
            g.writeNumberField("responseBytes", responseBytes);
            g.writeNumberField("durationMs", millis(timings.totalNanos()));
            g.writeObjectFieldStart("timings");
            phase(g, "dns", timings.dnsNanos());
            phase(g, "connect", timings.connectWithSslNanos());
            phase(g, "ssl", timings.sslNanos());
            phase(g, "send", timings.sendNanos());
            phase(g, "wait", timings.waitNanos());
            phase(g, "receive", timings.receiveNanos());
            g.writeEndObject();
            nullable(g, "upstream", upstream);
            nullable(g, "server", server);
            g.writeArrayFieldStart("rules");
            for (String rule : rules) {
                g.writeString(rule);
            }
            g.writeEndArray();
            if (error == null) {
                g.writeNullField("error");
            } else {
                g.writeObjectFieldStart("error");
                g.writeStringField("kind", error.kind().name());
                g.writeStringField("message", error.message());
                g.writeEndObject();
            }
            if (!requestHeaders.isEmpty() || !responseHeaders.isEmpty()) {
                headers(g, "requestHeaders", requestHeaders);
                headers(g, "responseHeaders", responseHeaders);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // appending to a StringBuilder does not fail
        }
        sb.append('\n');
    }

    private static void headers(JsonGenerator g, String name, List<String> pairs) throws IOException {
        g.writeArrayFieldStart(name);
        for (int i = 0; i < pairs.size(); i += 2) {
            g.writeStartArray();
            g.writeString(pairs.get(i));
            g.writeString(pairs.get(i + 1));
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    private static void nullable(JsonGenerator g, String name, String value) throws IOException {
        if (value.isEmpty()) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    private static void phase(JsonGenerator g, String name, long nanos) throws IOException {
        if (nanos < 0) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, millis(nanos));
        }
    }

    /** Milliseconds with three decimals. */
    private static double millis(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    /** A Writer onto a StringBuilder (StringWriter would lock a StringBuffer on every write). */
    private static final class Appender extends Writer {
        private final StringBuilder sb;

        Appender(StringBuilder sb) {
            this.sb = sb;
        }

        @Override
        public void write(char[] chars, int off, int len) {
            sb.append(chars, off, len);
        }

        @Override
        public void write(String s, int off, int len) {
            sb.append(s, off, off + len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
