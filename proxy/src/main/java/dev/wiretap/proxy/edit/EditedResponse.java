package dev.wiretap.proxy.edit;

import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import java.util.Objects;
import java.util.Optional;

/**
 * A response as the user edited it (for a flow paused at its response): status, reason, fields in their order, and
 * the body, or no body at all to keep the one the message has. Made by {@link HttpMessageText#parseResponse} from the
 * editor's text, or directly. Immutable: the fields are copied in and out.
 */
public final class EditedResponse {

    private final int status;
    private final String reason;
    private final Headers headers;
    private final byte[] body;

    private EditedResponse(int status, String reason, Headers headers, byte[] body) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " is not a three-digit code");
        }
        for (int i = 0; i < reason.length(); i++) {
            if (!FieldChars.isFieldValueChar(reason.charAt(i))) {
                throw new IllegalArgumentException("the reason phrase holds a forbidden character at " + (i + 1));
            }
        }
        this.status = status;
        this.reason = reason;
        this.headers = headers.copy();
        this.body = body == null ? null : body.clone();
    }

    /** An edit that keeps the message's body as it is. */
    public static EditedResponse keepingBody(int status, String reason, Headers headers) {
        return new EditedResponse(status, Objects.requireNonNull(reason, "reason"), headers, null);
    }

    /** An edit that replaces the body (sent with a Content-Length that fits it). */
    public static EditedResponse withBody(int status, String reason, Headers headers, byte[] body) {
        return new EditedResponse(status, Objects.requireNonNull(reason, "reason"), headers, Objects.requireNonNull(body, "body"));
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    /** A copy of the fields, in order. */
    public Headers headers() {
        return headers.copy();
    }

    /** The new body, or empty to keep the message's own. */
    public Optional<byte[]> body() {
        return Optional.ofNullable(body).map(byte[]::clone);
    }

    @Override
    public String toString() {
        return status + " " + reason + (body == null ? "" : " (" + body.length + "-byte body)");
    }
}
