package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The HAR 1.2 format's rules (http://www.softwareishard.com/blog/har-12-spec/) checked over a parsed file: every
 * required field present with its type, optional ones typed when present, no field the format does not define
 * unless it starts with an underscore, dates in ISO 8601, and each entry's time the sum of its timings.
 */
final class HarSpec {

    private HarSpec() {
    }

    static void check(JsonNode root) {
        fields(root, "root", Map.of("log", "object"), Map.of());
        JsonNode log = root.get("log");
        fields(log, "log", Map.of("version", "string", "creator", "object", "entries", "array"),
                Map.of("browser", "object", "pages", "array", "comment", "string"));
        assertEquals("1.2", log.get("version").asText());
        fields(log.get("creator"), "creator", Map.of("name", "string", "version", "string"), Map.of("comment", "string"));
        int i = 0;
        for (JsonNode entry : log.get("entries")) {
            entry(entry, "entries[" + i++ + "]");
        }
    }

    private static void entry(JsonNode e, String where) {
        fields(e, where, Map.of("startedDateTime", "string", "time", "number", "request", "object", "response", "object",
                "cache", "object", "timings", "object"),
                Map.of("pageref", "string", "serverIPAddress", "string", "connection", "string", "comment", "string"));
        OffsetDateTime.parse(e.get("startedDateTime").asText());
        request(e.get("request"), where + ".request");
        response(e.get("response"), where + ".response");
        fields(e.get("cache"), where + ".cache", Map.of(), Map.of("beforeRequest", "object", "afterRequest", "object", "comment", "string"));
        JsonNode t = e.get("timings");
        fields(t, where + ".timings", Map.of("send", "number", "wait", "number", "receive", "number"),
                Map.of("blocked", "number", "dns", "number", "connect", "number", "ssl", "number", "comment", "string"));
        double sum = 0;
        for (String phase : new String[] {"blocked", "dns", "connect", "send", "wait", "receive"}) {
            double v = t.has(phase) ? t.get(phase).asDouble() : -1;
            assertTrue(v == -1 || v >= 0, where + ".timings." + phase + " is -1 or not negative: " + v);
            sum += Math.max(0, v);
        }
        for (String phase : new String[] {"send", "wait", "receive"}) {
            assertTrue(t.get(phase).asDouble() >= 0, where + ".timings." + phase + " must not be -1");
        }
        double ssl = t.has("ssl") ? t.get("ssl").asDouble() : -1;
        assertTrue(ssl == -1 || (ssl >= 0 && ssl <= t.get("connect").asDouble()), where + ".timings.ssl is -1 or within connect");
        assertEquals(sum, e.get("time").asDouble(), 0.0015, where + ": time is the sum of the timings");
    }

    private static void request(JsonNode r, String where) {
        fields(r, where, Map.of("method", "string", "url", "string", "httpVersion", "string", "cookies", "array",
                "headers", "array", "queryString", "array", "headersSize", "number", "bodySize", "number"),
                Map.of("postData", "object", "comment", "string"));
        cookies(r.get("cookies"), where);
        nameValues(r.get("headers"), where + ".headers");
        nameValues(r.get("queryString"), where + ".queryString");
        if (r.has("postData")) {
            fields(r.get("postData"), where + ".postData", Map.of("mimeType", "string"),
                    Map.of("params", "array", "text", "string", "comment", "string"));
        }
    }

    private static void response(JsonNode r, String where) {
        fields(r, where, Map.of("status", "number", "statusText", "string", "httpVersion", "string", "cookies", "array",
                "headers", "array", "content", "object", "redirectURL", "string", "headersSize", "number", "bodySize", "number"),
                Map.of("comment", "string"));
        cookies(r.get("cookies"), where);
        nameValues(r.get("headers"), where + ".headers");
        fields(r.get("content"), where + ".content", Map.of("size", "number", "mimeType", "string"),
                Map.of("compression", "number", "text", "string", "encoding", "string", "comment", "string"));
    }

    private static void cookies(JsonNode cookies, String where) {
        for (JsonNode c : cookies) {
            fields(c, where + ".cookies[]", Map.of("name", "string", "value", "string"), Map.of("path", "string",
                    "domain", "string", "expires", "string", "httpOnly", "boolean", "secure", "boolean", "comment", "string"));
            if (c.has("expires")) {
                OffsetDateTime.parse(c.get("expires").asText());
            }
        }
    }

    private static void nameValues(JsonNode array, String where) {
        for (JsonNode nv : array) {
            fields(nv, where + "[]", Map.of("name", "string", "value", "string"), Map.of("comment", "string"));
        }
    }

    /** {@code node} holds every required field with its type, optional ones with theirs, and nothing else but _custom ones. */
    private static void fields(JsonNode node, String where, Map<String, String> required, Map<String, String> optional) {
        assertTrue(node.isObject(), where + " is an object");
        for (Map.Entry<String, String> f : required.entrySet()) {
            assertTrue(node.has(f.getKey()), where + " lacks the required field " + f.getKey());
            type(node.get(f.getKey()), f.getValue(), where + "." + f.getKey());
        }
        Set<String> known = new java.util.HashSet<>(required.keySet());
        known.addAll(optional.keySet());
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertTrue(known.contains(name) || name.startsWith("_"), where + " has a field HAR 1.2 does not define: " + name);
            if (optional.containsKey(name)) {
                type(node.get(name), optional.get(name), where + "." + name);
            }
        }
    }

    private static void type(JsonNode value, String type, String where) {
        boolean ok = switch (type) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "boolean" -> value.isBoolean();
            default -> throw new IllegalArgumentException(type);
        };
        assertTrue(ok, where + " is a " + type + ": " + value);
    }
}
