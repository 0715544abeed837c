package dev.wiretap.web;

import dev.wiretap.proxy.service.ServiceResponse;

/**
 * The API's answer to a request it cannot serve: the status and a JSON object saying why,
 * {@code {"error": "...", "status": 400}}, with any more fields a caller adds (a filter's {@code column}).
 */
final class ApiError {

    private ApiError() {
    }

    static ServiceResponse of(int status, String message) {
        return of(status, message, g -> { });
    }

    /** With more fields, written by {@code more} into the object after {@code error} and {@code status}. */
    static ServiceResponse of(int status, String message, JsonBody.Fields more) {
        return JsonBody.response(status, g -> {
            g.writeStartObject();
            g.writeStringField("error", message);
            g.writeNumberField("status", status);
            more.write(g);
            g.writeEndObject();
        });
    }
}
