package dev.wiretap.proxy.service;

import java.io.IOException;

/**
 * Answers the requests a {@link ServiceListener} reads. Called on the connection's own virtual thread, one request
 * at a time per connection, for as long as it takes (a streamed response keeps the thread until it ends).
 */
@FunctionalInterface
public interface ServiceHandler {

    /**
     * Answers one request. A {@link ServiceException} (a body over the route's limit, a malformed one) is answered
     * with {@link #refusal} and the connection closed; an IOException means the client went away; any other
     * exception is answered with 500 and logged as a bug.
     */
    ServiceResponse handle(ServiceRequest request) throws IOException, ServiceException;

    /**
     * The answer to a request the listener refuses before or instead of this handler: bad input (400, 413, 414, 431,
     * 501, 505), a head that took too long (408), a handler's {@link ServiceException} or bug (500). {@code reason}
     * is safe to show. By default a short plain-text body; a JSON service answers in JSON.
     */
    default ServiceResponse refusal(int status, String reason) {
        return ServiceResponse.text(status, reason + "\n");
    }
}
