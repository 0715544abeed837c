package dev.wiretap.proxy.service;

/**
 * A request a service cannot serve, found while reading it (a body over the route's limit: 413; a malformed body: 400)
 * or by the handler: the status to answer with and a reason safe to show to the client. The listener answers it with
 * {@link ServiceHandler#refusal} and closes the connection, as what is left of the request on the wire is in doubt.
 */
public final class ServiceException extends Exception {

    private final int status;

    public ServiceException(int status, String reason) {
        super(reason, null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal's status is 4xx or 5xx, not " + status);
        }
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The reason, safe to show to a client. */
    public String reason() {
        return getMessage();
    }
}
