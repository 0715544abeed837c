package dev.wiretap.proxy;

/**
 * No flow that a filter selects finished in the time {@link Wiretap#awaitFlow} was given. The message says which
 * filter, how long, and which flows did finish, so that a failing test shows what went through the proxy instead.
 */
public final class FlowTimeoutException extends RuntimeException {

    public FlowTimeoutException(String message) {
        super(message);
    }
}
