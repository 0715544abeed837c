package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.wiretap.proxy.service.ServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** JSON made with Jackson's streaming writer, as a response body or bytes. Stateless. */
final class JsonBody {

    static final JsonFactory JSON = JsonFactory.builder().build();
    static final String CONTENT_TYPE = "application/json; charset=utf-8";

    private JsonBody() {
    }

    /** Writes one JSON value. */
    @FunctionalInterface
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] bytes(Fields writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e);
        }
        return out.toByteArray();
    }

    static ServiceResponse response(int status, Fields writer) {
        return ServiceResponse.of(status, CONTENT_TYPE, bytes(writer)).with("Cache-Control", "no-store");
    }
}
