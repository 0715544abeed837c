package dev.wiretap.proxy.service;

import java.io.IOException;

/**
 * A request body that a streamed read ({@link ServiceRequest#bodyStream}) refused part-way: it grew over the route's
 * limit (413), or its chunked framing was malformed (400). Thrown from the stream's {@code read}, which can throw only
 * an {@link IOException}; a handler may catch it to say more (what was done with the part read), or let it go: the
 * listener then answers it with {@link ServiceHandler#refusal} and closes the connection, as a {@link ServiceException}.
 */
public final class BodyStreamException extends IOException {

    private final int status;

    BodyStreamException(int status, String reason) {
        super(reason, null);
        this.status = status;
    }

    /** 413 or 400. */
    public int status() {
        return status;
    }

    /** The reason, safe to show to a client. */
    public String reason() {
        return getMessage();
    }
}
