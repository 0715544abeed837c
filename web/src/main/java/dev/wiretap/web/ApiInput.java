package dev.wiretap.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.service.ServiceException;
import dev.wiretap.proxy.service.ServiceRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Reading what an API request sends: a JSON object (settings such as the intercept's filter) or UTF-8 text (a message
 * as HTTP text), each bounded. A body that is too large is the listener's 413; one that cannot be read is a 400 saying
 * why. Stateless.
 */
final class ApiInput {

    /** A small JSON object of settings. */
    static final int MAX_JSON_BYTES = 64 * 1024;
    /**
     * A message as HTTP text: its head and its body as text, which for a body held whole (at most the capture cap, 1 MiB)
     * decoded from gzip or br may be several times larger.
     */
    static final int MAX_TEXT_BYTES = 32 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiInput() {
    }

    /** The body as a JSON object. */
    static JsonNode jsonObject(ServiceRequest request) throws IOException, ServiceException, ApiException {
        byte[] body = request.body(MAX_JSON_BYTES);
        if (body.length == 0) {
            throw new ApiException(400, "this takes a JSON object in the request body");
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(400, "the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "the request body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** The body as UTF-8 text; empty when there is none. */
    static String text(ServiceRequest request) throws IOException, ServiceException, ApiException {
        byte[] body = request.body(MAX_TEXT_BYTES);
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "the request body is not UTF-8 text");
        }
    }
}
