package dev.wiretap.proxy.edit;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.config.FieldChars;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.http1.ProtocolException;
import dev.wiretap.proxy.http1.RequestTarget;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the user edited it (for a paused flow or a replay): method, target, fields in their order, and the
 * body, or no body at all to keep the one the message has. Made by {@link HttpMessageText#parseRequest} from the
 * editor's text, or directly. Immutable: the fields are copied in and out.
 */
public final class EditedRequest {

    private final String method;
    private final RequestTarget target;
    private final Headers headers;
    private final byte[] body;

    private EditedRequest(String method, String target, Headers headers, byte[] body) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || !method.chars().allMatch(FieldChars::isTchar)) {
            throw new IllegalArgumentException("'" + method + "' is not a valid method (a token)");
        }
        if (method.equals("CONNECT")) {
            throw new IllegalArgumentException("a request cannot be edited into a CONNECT");
        }
        try {
            this.target = RequestTarget.parse(method, Objects.requireNonNull(target, "target"));
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("target '" + target + "': " + e.reason());
        }
        if (this.target.form() == RequestTarget.Form.ASTERISK) {
            throw new IllegalArgumentException("the target must be a URL or a path, not *");
        }
        this.method = method;
        this.headers = headers.copy();
        this.body = body == null ? null : body.clone();
    }

    /**
     * An edit that keeps the message's body as it is.
     *
     * @param target an absolute URL ({@code https://host/path?q}), which may send the request elsewhere, or a path
     *               ({@code /path?q}) on the request's current origin
     * @throws IllegalArgumentException if the method is not a token or the target not a URL or a path
     */
    public static EditedRequest keepingBody(String method, String target, Headers headers) {
        return new EditedRequest(method, target, headers, null);
    }

    /** An edit that replaces the body (the framing fields are fixed to fit it when the request is sent). */
    public static EditedRequest withBody(String method, String target, Headers headers, byte[] body) {
        return new EditedRequest(method, target, headers, Objects.requireNonNull(body, "body"));
    }

    public String method() {
        return method;
    }

    /** The target as written: an absolute URL or a path. */
    public String target() {
        return target.form() == RequestTarget.Form.ABSOLUTE ? destination(null).url() : target.pathAndQuery();
    }

    /** Where the edited request goes: the URL's origin, or {@code current}'s for a path. */
    public Destination destination(Destination current) {
        if (target.form() == RequestTarget.Form.ABSOLUTE) {
            return target.destination();
        }
        Objects.requireNonNull(current, "a path needs the request's current origin");
        return new Destination(current.scheme(), current.host(), current.port(), target.pathAndQuery());
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
        return method + " " + target() + (body == null ? "" : " (" + body.length + "-byte body)");
    }
}
