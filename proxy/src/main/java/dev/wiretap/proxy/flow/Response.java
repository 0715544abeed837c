package dev.wiretap.proxy.flow;

import dev.wiretap.config.FieldChars;
import java.util.Objects;

/**
 * A response: status line, fields in wire order, the wire copy of its head, and what was captured of its body.
 * Either received from the origin or made by wiretap itself (an error, a page, an addon's answer).
 *
 * <p>Mutable like {@link Request}: the connection thread fills in the body; addons may change status and fields
 * before it is sent on.
 */
public final class Response {

    private final HttpVersion version;
    private volatile int status;
    private volatile String reason;
    private final Headers headers;
    private final byte[] head;
    private volatile Body body = Body.EMPTY;
    /** The capture of a body still streaming, which readers see grow; null once the body is set. */
    private volatile BodyCapture growing;
    private volatile Headers trailers;

    public Response(HttpVersion version, int status, String reason, Headers headers, byte[] head) {
        this.version = Objects.requireNonNull(version);
        this.status = checkStatus(status);
        this.reason = checkReason(reason);
        this.headers = Objects.requireNonNull(headers);
        this.head = Objects.requireNonNull(head);
    }

    public HttpVersion version() {
        return version;
    }

    public int status() {
        return status;
    }

    /**
     * Changes the status line. The code must have three digits and the reason must not hold CR, LF or other
     * controls (RFC 9112 section 4), so that no change can break the status line or inject a field.
     */
    public void setStatus(int status, String reason) {
        checkStatus(status);
        checkReason(reason);
        this.status = status;
        this.reason = reason;
    }

    private static int checkStatus(int status) {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status " + status + " is not a three-digit code");
        }
        return status;
    }

    private static String checkReason(String reason) {
        Objects.requireNonNull(reason);
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (c > 0xFF || !FieldChars.isFieldValueChar(c)) {
                throw new IllegalArgumentException("reason phrase holds a forbidden character at " + (i + 1) + ": '" + reason + "'");
            }
        }
        return reason;
    }

    public String reason() {
        return reason;
    }

    public Headers headers() {
        return headers;
    }

    /** The head's bytes exactly as they flowed; empty for a response wiretap made. Not a copy: do not change it. */
    public byte[] wireHead() {
        return head;
    }

    /** The body as captured; while it still streams, what has been captured so far. */
    public Body body() {
        BodyCapture g = growing;
        return g != null ? g.snapshot() : body;
    }

    public void setBody(Body body) {
        this.body = Objects.requireNonNull(body);
        this.growing = null;
    }

    /**
     * Shows {@code capture} as this response's body while it streams (from any thread, {@link #body()}), until
     * {@link #setBody} sets the body for good. Set by the engine on the connection's thread.
     */
    public void setGrowingBody(BodyCapture capture) {
        this.growing = Objects.requireNonNull(capture);
    }

    /** Whether the body is still streaming (its capture so far is what {@link #body()} shows). */
    public boolean isBodyGrowing() {
        return growing != null;
    }

    /** The trailer fields that followed the body (HTTP/2, or a chunked HTTP/1.1 body), if any were kept. */
    public java.util.Optional<Headers> trailers() {
        return java.util.Optional.ofNullable(trailers);
    }

    public void setTrailers(Headers trailers) {
        this.trailers = Objects.requireNonNull(trailers);
    }

    /** A rough count of the heap this holds, for the flow store's budget. */
    public long estimatedBytes() {
        return 64L + head.length + reason.length() + headers.estimatedBytes() + body().estimatedBytes();
    }

    @Override
    public String toString() {
        return version + " " + status + " " + reason;
    }
}
