package dev.wiretap.cli.export;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Writes one flow as a HAR 1.2 entry (http://www.softwareishard.com/blog/har-12-spec/): the request with its
 * fields in wire order, query and posted data; the response with its content decoded (text as text, anything else
 * in base64); timings that add up to {@code time}; notes on truncated or undecodable bodies in {@code comment}
 * fields. A flow that got no response gets status 0 and Chrome's {@code _error} field, as Chrome writes a request
 * that failed. Stateless; runs on the exporting thread.
 */
final class HarEntry {

    /** ISO 8601 with milliseconds in UTC, as browsers write startedDateTime. */
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** What Chrome writes as the mimeType of content that has none. */
    private static final String NO_TYPE = "x-unknown";

    private HarEntry() {
    }

    static void write(JsonGenerator g, Flow flow) throws IOException {
        HarTimings timings = HarTimings.of(flow.timings());
        List<String> comments = new ArrayList<>(2);
        g.writeStartObject();
        g.writeStringField("startedDateTime", DATE.format(flow.started().truncatedTo(ChronoUnit.MILLIS)));
        g.writeNumberField("time", HarTimings.millis(timings.totalMicros()));
        request(g, flow.request(), comments);
        Optional<Response> response = flow.response();
        if (response.isPresent()) {
            response(g, response.get(), flow.started(), comments);
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
        // HAR asks for an id of the TCP connection: the client's port names wiretap's connection with the client.
        g.writeStringField("connection", Integer.toString(flow.client().getPort()));
        if (flow.error().isPresent()) {
            comments.add(0, "failed: " + flow.error().get().message());
            if (response.isEmpty()) {
                g.writeStringField("_error", flow.error().get().message());
            }
        }
        if (!comments.isEmpty()) {
            g.writeStringField("comment", String.join("; ", comments));
        }
        g.writeEndObject();
    }

    private static void request(JsonGenerator g, Request request, List<String> comments) throws IOException {
        Headers headers = request.headers();
        g.writeObjectFieldStart("request");
        g.writeStringField("method", request.method());
        g.writeStringField("url", request.url());
        g.writeStringField("httpVersion", request.version().text());
        cookies(g, HarCookies.sent(headers.all("Cookie")));
        headers(g, headers);
        g.writeArrayFieldStart("queryString");
        String path = request.destination().map(Destination::pathAndQuery).orElse(request.target());
        for (String[] pair : query(path)) {
            nameValue(g, pair[0], pair[1]);
        }
        g.writeEndArray();
        Body body = request.body();
        if (!body.isEmpty()) {
            g.writeObjectFieldStart("postData");
            g.writeStringField("mimeType", headers.first("Content-Type").orElse(""));
            List<String> notes = content(g, headers, body, true);
            if (!notes.isEmpty()) {
                g.writeStringField("comment", String.join("; ", notes));
                comments.add("request body: " + String.join("; ", notes));
            }
            g.writeEndObject();
        }
        g.writeNumberField("headersSize", request.wireHead().length == 0 ? -1 : request.wireHead().length);
        g.writeNumberField("bodySize", body.size());
        g.writeEndObject();
    }

    private static void response(JsonGenerator g, Response response, Instant received, List<String> comments) throws IOException {
        Headers headers = response.headers();
        Body body = response.body();
        g.writeObjectFieldStart("response");
        g.writeNumberField("status", response.status());
        g.writeStringField("statusText", response.reason());
        g.writeStringField("httpVersion", response.version().text());
        cookies(g, HarCookies.set(headers.all("Set-Cookie"), received));
        headers(g, headers);
        g.writeObjectFieldStart("content");
        DecodedBody decoded = BodyDecoder.decode(headers, body);
        long size = decoded.isDecoded() ? decoded.bytes().length : body.size();
        g.writeNumberField("size", size);
        if (decoded.isDecoded() && decoded.isComplete() && !body.isTruncated() && size >= body.size()) {
            g.writeNumberField("compression", size - body.size());
        }
        g.writeStringField("mimeType", headers.first("Content-Type").orElse(NO_TYPE));
        List<String> notes = body.isEmpty() ? List.of() : content(g, headers, body, false);
        if (!notes.isEmpty()) {
            g.writeStringField("comment", String.join("; ", notes));
            comments.add("response body: " + String.join("; ", notes));
        }
        g.writeEndObject();
        g.writeStringField("redirectURL", headers.first("Location").orElse(""));
        g.writeNumberField("headersSize", response.wireHead().length == 0 ? -1 : response.wireHead().length);
        g.writeNumberField("bodySize", body.size());
        g.writeEndObject();
    }

    /**
     * Writes {@code text} (and {@code encoding: base64} for bytes that are not text) of a body, decoded; returns the
     * notes on it. Request bodies have no encoding field in HAR 1.2, so {@code _encoding} (a custom field, as the
     * format allows with a leading underscore) and the comment say when a posted body is in base64.
     */
    private static List<String> content(JsonGenerator g, Headers headers, Body body, boolean posted) throws IOException {
        List<String> notes = new ArrayList<>(2);
        DecodedBody decoded = BodyDecoder.decode(headers, body);
        if (!decoded.note().isEmpty()) {
            notes.add(decoded.note());
        }
        if (body.isTruncated()) {
            notes.add(BodyView.captureNote(body));
        }
        boolean partial = body.isTruncated() || !decoded.isComplete();
        Optional<BodyText> text = decoded.outcome() == DecodedBody.Outcome.COMPLETE || decoded.isDecoded()
                ? BodyText.of(MediaType.of(headers), decoded.bytes(), partial) : Optional.empty();
        if (text.isPresent()) {
            g.writeStringField("text", text.get().text());
            if (!text.get().note().isEmpty()) {
                notes.add(text.get().note());
            }
        } else {
            g.writeStringField("text", Base64.getEncoder().encodeToString(decoded.bytes()));
            g.writeStringField(posted ? "_encoding" : "encoding", "base64");
            if (posted) {
                notes.add("text is base64: the body is binary");
            }
        }
        return notes;
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
