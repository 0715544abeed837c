package dev.wiretap.proxy.flow;

/**
 * Why an exchange did not complete normally: what kind of failure, and a short text that names the party and
 * the cause, safe to show to the client and the user.
 */
public record FlowError(Kind kind, String message) {

    public enum Kind {
        /** The client sent something that is not valid HTTP (answered with a 4xx). */
        CLIENT_PROTOCOL,
        /** The client went away or stopped sending mid-exchange. */
        CLIENT_CLOSED,
        /** The client was too slow sending its request. */
        CLIENT_TIMEOUT,
        /** The origin's name could not be resolved. */
        DNS,
        /** The origin (or upstream proxy) refused, reset or could not be reached. */
        CONNECT,
        /** The origin did not answer in time. */
        UPSTREAM_TIMEOUT,
        /** The origin sent something that is not valid HTTP. */
        UPSTREAM_PROTOCOL,
        /** The origin closed or reset the connection before the response was complete. */
        UPSTREAM_CLOSED,
        /** A request that would come back to wiretap itself. */
        LOOP,
        /** The proxy is shutting down. */
        SHUTDOWN,
        /** A fault in wiretap itself. */
        INTERNAL,
        /** A TLS handshake failed: with the client (which may reject wiretap's certificate) or with the origin. */
        TLS,
        /** A rule dropped the connection instead of answering. */
        BLOCKED,
        /** The user dropped the exchange while intercept held it (or wiretap stopped while it was paused). */
        DROPPED
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
