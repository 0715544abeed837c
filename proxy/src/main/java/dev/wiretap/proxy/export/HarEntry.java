package dev.wiretap.proxy.export;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One flow as a HAR 1.2 entry (http://www.softwareishard.com/blog/har-12-spec/): the request with its fields in wire
 * order, query and posted data; the response with its content decoded (text as text, anything else in base64);
 * timings that add up to {@code time}; notes on truncated or undecodable bodies in {@code comment} fields. A flow that
 * got no response gets status 0 and Chrome's {@code _error} field, as Chrome writes a request that failed. What HAR has
 * no field for and wiretap needs to read the entry back as the flow it was goes in a custom {@code _wiretap} object
 * (the format allows fields that start with an underscore): the flow's number, client, error, notes and rules. A
 * WebSocket's entry carries its messages as Chrome writes them: {@code _resourceType} "websocket" and
 * {@code _webSocketMessages}, each data message with its {@code type} (send, receive), {@code time} (seconds since the
 * epoch, a fraction), {@code opcode} (1 text, 2 binary) and {@code data} (text as it is, binary in base64, as captured).
 *
 * <p>Made in two steps, so that a flow that cannot be written costs its own entry and no other: {@link #of} works out
 * everything (cookies, query, bodies measured) without writing, and {@link #write} only streams it out. Bodies are
 * never held decoded ({@link HarContent}). For the exporting thread.
 */
final class HarEntry {

    /** ISO 8601 with milliseconds in UTC, as browsers write startedDateTime. */
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** What Chrome writes as the mimeType of content that has none. */
    private static final String NO_TYPE = "x-unknown";

    private final Flow flow;
    private final HarTimings timings;
    private final List<HarCookies.Cookie> sentCookies;
    private final List<String[]> query;
    private final Optional<HarContent> posted;
    private final List<HarCookies.Cookie> setCookies;
    private final Optional<HarContent> content;
    private final List<String> comments;

    private HarEntry(Flow flow, HarTimings timings, List<HarCookies.Cookie> sentCookies, List<String[]> query,
                     Optional<HarContent> posted, List<HarCookies.Cookie> setCookies, Optional<HarContent> content,
                     List<String> comments) {
        this.flow = flow;
        this.timings = timings;
        this.sentCookies = sentCookies;
        this.query = query;
        this.posted = posted;
        this.setCookies = setCookies;
        this.content = content;
        this.comments = comments;
    }

    /** Works out {@code flow}'s entry; throws whatever a flow no one foresaw makes it throw, before anything is written. */
    static HarEntry of(Flow flow) {
        Request request = flow.request();
        List<String> comments = new ArrayList<>(2);
        flow.error().ifPresent(e -> comments.add("failed: " + e.message()));
        Optional<HarContent> posted = request.body().isEmpty() ? Optional.empty()
                : Optional.of(HarContent.of(request.headers(), request.body(), true));
        posted.filter(p -> !p.notes().isEmpty()).ifPresent(p -> comments.add("request body: " + String.join("; ", p.notes())));
        String path = request.destination().map(Destination::pathAndQuery).orElse(request.target());
        Optional<Response> response = flow.response();
        List<HarCookies.Cookie> setCookies = response.map(r -> HarCookies.set(r.headers().all("Set-Cookie"), flow.started()))
                .orElse(List.of());
        Optional<HarContent> content = response.filter(r -> !r.body().isEmpty())
                .map(r -> HarContent.of(r.headers(), r.body(), false));
        content.filter(c -> !c.notes().isEmpty()).ifPresent(c -> comments.add("response body: " + String.join("; ", c.notes())));
        return new HarEntry(flow, HarTimings.of(flow.timings()), HarCookies.sent(request.headers().all("Cookie")),
                query(path), posted, setCookies, content, comments);
    }

    void write(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("startedDateTime", DATE.format(flow.started().truncatedTo(ChronoUnit.MILLIS)));
        g.writeNumberField("time", HarTimings.millis(timings.totalMicros()));
        request(g, flow.request());
        Optional<Response> response = flow.response();
        if (response.isPresent()) {
            response(g, response.get());
        } else {
            noResponse(g);
        }
        g.writeObjectFieldStart("cache");
        g.writeEndObject();
        timings(g, timings);
        String server = flow.serverAddress();
        if (!server.isEmpty()) {
            g.writeStringField("serverIPAddress", server.substring(0, Math.max(0, server.lastIndexOf(':'))));
        }
        if (flow.client().getPort() > 0) {
            // HAR asks for an id of the TCP connection: the client's port names wiretap's connection with the client.
            g.writeStringField("connection", Integer.toString(flow.client().getPort()));
        }
        if (flow.error().isPresent() && response.isEmpty()) {
            g.writeStringField("_error", flow.error().get().message());
        }
        if (!comments.isEmpty()) {
            g.writeStringField("comment", String.join("; ", comments));
        }
        if (flow.webSocket().isPresent()) {
            webSocketMessages(g, flow.webSocket().get());
        }
        wiretap(g);
        g.writeEndObject();
    }

    private void request(JsonGenerator g, Request request) throws IOException {
        Headers headers = request.headers();
        g.writeObjectFieldStart("request");
        g.writeStringField("method", request.method());
        g.writeStringField("url", request.url());
        g.writeStringField("httpVersion", request.version().text());
        cookies(g, sentCookies);
        headers(g, headers);
        g.writeArrayFieldStart("queryString");
        for (String[] pair : query) {
            nameValue(g, pair[0], pair[1]);
        }
        g.writeEndArray();
        if (posted.isPresent()) {
            g.writeObjectFieldStart("postData");
            g.writeStringField("mimeType", headers.first("Content-Type").orElse(""));
            posted.get().writeText(g);
            if (!posted.get().notes().isEmpty()) {
                g.writeStringField("comment", String.join("; ", posted.get().notes()));
            }
            g.writeEndObject();
        }
        g.writeNumberField("headersSize", request.wireHead().length == 0 ? -1 : request.wireHead().length);
        g.writeNumberField("bodySize", request.body().size());
        g.writeEndObject();
    }

    private void response(JsonGenerator g, Response response) throws IOException {
        Headers headers = response.headers();
        g.writeObjectFieldStart("response");
        g.writeNumberField("status", response.status());
        g.writeStringField("statusText", response.reason());
        g.writeStringField("httpVersion", response.version().text());
        cookies(g, setCookies);
        headers(g, headers);
        g.writeObjectFieldStart("content");
        g.writeNumberField("size", content.map(HarContent::size).orElse(0L));
        Optional<Long> compression = content.flatMap(HarContent::compression);
        if (compression.isPresent()) {
            g.writeNumberField("compression", compression.get());
        }
        g.writeStringField("mimeType", headers.first("Content-Type").orElse(NO_TYPE));
        if (content.isPresent()) {
            content.get().writeText(g);
            if (!content.get().notes().isEmpty()) {
                g.writeStringField("comment", String.join("; ", content.get().notes()));
            }
        }
        g.writeEndObject();
        g.writeStringField("redirectURL", headers.first("Location").orElse(""));
        g.writeNumberField("headersSize", response.wireHead().length == 0 ? -1 : response.wireHead().length);
        g.writeNumberField("bodySize", response.body().size());
        g.writeEndObject();
    }

    /**
     * Chrome's {@code _webSocketMessages}: the data messages kept, in order (control frames, which Chrome leaves out too,
     * stay in the flow); a message cut at the capture cap is written as far as it was captured.
     */
    private static void webSocketMessages(JsonGenerator g, dev.wiretap.proxy.flow.WebSocketMessages messages) throws IOException {
        g.writeStringField("_resourceType", "websocket");
        g.writeArrayFieldStart("_webSocketMessages");
        for (dev.wiretap.proxy.flow.WebSocketMessage m : messages.all()) {
            if (!m.type().isData()) {
                continue;
            }
            g.writeStartObject();
            g.writeStringField("type", m.fromClient() ? "send" : "receive");
            g.writeNumberField("time", m.time().getEpochSecond() + m.time().getNano() / 1e9);
            g.writeNumberField("opcode", m.type().opcode());
            g.writeStringField("data", m.type() == dev.wiretap.proxy.flow.WebSocketMessage.Type.TEXT ? m.text()
                    : java.util.Base64.getEncoder().encodeToString(m.content()));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** What wiretap needs to read the entry back as the flow it was, and HAR has no field for. */
    private void wiretap(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("_wiretap");
        g.writeNumberField("flow", flow.id());
        g.writeStringField("client", address(flow.client()));
        if (flow.error().isPresent()) {
            FlowError error = flow.error().get();
            g.writeObjectFieldStart("error");
            g.writeStringField("kind", error.kind().name());
            g.writeStringField("message", error.message());
            g.writeEndObject();
        }
        strings(g, "notes", flow.notes());
        strings(g, "rules", flow.appliedRules());
        if (flow.isReusedUpstream()) {
            g.writeBooleanField("reusedConnection", true);
        }
        g.writeEndObject();
    }

    /** {@code 127.0.0.1:5000} or {@code [::1]:5000}, as {@link HarReader} reads it back. */
    private static String address(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : ip.getHostAddress();
        return host + ":" + address.getPort();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(name);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }

    private static void timings(JsonGenerator g, HarTimings t) throws IOException {
        g.writeObjectFieldStart("timings");
        g.writeNumberField("blocked", HarTimings.millis(t.blockedMicros()));
        g.writeNumberField("dns", HarTimings.millis(t.dnsMicros()));
        g.writeNumberField("connect", HarTimings.millis(t.connectMicros()));
        g.writeNumberField("ssl", HarTimings.millis(t.sslMicros()));
        g.writeNumberField("send", HarTimings.millis(t.sendMicros()));
        g.writeNumberField("wait", HarTimings.millis(t.waitMicros()));
        g.writeNumberField("receive", HarTimings.millis(t.receiveMicros()));
        g.writeEndObject();
    }

    private static void noResponse(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("response");
        g.writeNumberField("status", 0);
        g.writeStringField("statusText", "");
        g.writeStringField("httpVersion", "");
        g.writeArrayFieldStart("cookies");
        g.writeEndArray();
        g.writeArrayFieldStart("headers");
        g.writeEndArray();
        g.writeObjectFieldStart("content");
        g.writeNumberField("size", 0);
        g.writeStringField("mimeType", NO_TYPE);
        g.writeEndObject();
        g.writeStringField("redirectURL", "");
        g.writeNumberField("headersSize", -1);
        g.writeNumberField("bodySize", -1);
        g.writeEndObject();
    }

    private static void headers(JsonGenerator g, Headers headers) throws IOException {
        g.writeArrayFieldStart("headers");
        for (int i = 0; i < headers.size(); i++) {
            nameValue(g, headers.name(i), headers.value(i));
        }
        g.writeEndArray();
    }

    private static void cookies(JsonGenerator g, List<HarCookies.Cookie> cookies) throws IOException {
        g.writeArrayFieldStart("cookies");
        for (HarCookies.Cookie c : cookies) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("value", c.value());
            if (!c.path().isEmpty()) {
                g.writeStringField("path", c.path());
            }
            if (!c.domain().isEmpty()) {
                g.writeStringField("domain", c.domain());
            }
            if (c.expires().isPresent()) {
                g.writeStringField("expires", DATE.format(c.expires().get().truncatedTo(ChronoUnit.MILLIS)));
            }
            if (c.httpOnly()) {
                g.writeBooleanField("httpOnly", true);
            }
            if (c.secure()) {
                g.writeBooleanField("secure", true);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void nameValue(JsonGenerator g, String name, String value) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("value", value);
        g.writeEndObject();
    }

    /** The query's name/value pairs, percent-decoded as a form would be (a malformed escape is kept as written). */
    static List<String[]> query(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        List<String[]> pairs = new ArrayList<>();
        if (q < 0 || q == pathAndQuery.length() - 1) {
            return pairs;
        }
        int hash = pathAndQuery.indexOf('#', q);
        String query = pathAndQuery.substring(q + 1, hash < 0 ? pathAndQuery.length() : hash);
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            pairs.add(new String[] {unescape(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : unescape(part.substring(eq + 1))});
        }
        return pairs;
    }

    private static String unescape(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
