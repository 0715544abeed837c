package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.ReasonPhrase;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.HttpOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response wiretap makes itself (an error, its own page, a TRACE echo, a rule's answer): status, fields (in
 * order, the content type among them) and body, recorded on the flow and written to the client with a
 * Content-Length.
 */
record LocalResponse(int status, String reason, Map<String, String> fields, byte[] body) {

    LocalResponse {
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    LocalResponse(int status, String reason, String contentType, byte[] body) {
        this(status, reason, Map.of("Content-Type", contentType), body);
    }

    /** A short plain-text error: {@code wiretap: <message>}. */
    static LocalResponse error(int status, String message) {
        return new LocalResponse(status, ReasonPhrase.of(status), "text/plain; charset=utf-8",
                ("wiretap: " + message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** The same response with one more field. */
    LocalResponse with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(fields);
        more.put(name, value);
        return new LocalResponse(status, reason, more, body);
    }

    String contentType() {
        return fields.getOrDefault("Content-Type", "application/octet-stream");
    }

    /**
     * Records this response on the flow and writes it (without a body after HEAD). {@code close} adds
     * {@code Connection: close}.
     */
    Response send(HttpOutput out, LiveFlow flow, boolean close) throws IOException {
        Headers headers = new Headers();
        fields.forEach(headers::add);
        headers.removeAll("Content-Length");
        headers.add("Content-Length", Integer.toString(body.length));
        if (!headers.contains("Cache-Control")) {
            headers.add("Cache-Control", "no-store");
        }
        if (close) {
            headers.add("Connection", "close");
        }
        Response response = new Response(HttpVersion.HTTP_1_1, status, reason, headers, new byte[0]);
        response.setBody(Body.of(body));
        flow.setResponse(response);
        out.writeLatin1("HTTP/1.1 ");
        out.writeDecimal(status);
        out.write(' ');
        out.writeLatin1(reason);
        out.crlf();
        headers.writeTo(out);
        out.crlf();
        if (!flow.request().isMethod("HEAD")) {
            out.write(body, 0, body.length);
        }
        out.flush();
        return response;
    }

    /** A timeout as error messages give it: {@code 20 s}, or {@code 500 ms} when not whole seconds. */
    static String duration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
