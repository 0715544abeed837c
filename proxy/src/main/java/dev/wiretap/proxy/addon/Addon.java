package dev.wiretap.proxy.addon;

import dev.wiretap.proxy.flow.Flow;

/**
 * Code that takes part in every exchange at fixed moments, and may change it. Built-in features (rules,
 * intercept) are addons on this same API. Hooks run on the connection's thread, in the order the addons were
 * given; they may block it (an intercept waits for the user), and an exception in one fails that exchange
 * with a 500 naming the addon, never the proxy.
 */
public interface Addon {

    /** A name for logs and error messages. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * The request head has arrived and its destination is resolved; nothing has been sent upstream. The addon
     * may change the method, the destination and the fields of {@code flow.request()}.
     */
    default void onRequestHead(Flow flow) {
    }

    /**
     * The response head has arrived (or been made by wiretap); nothing of it has been sent to the client. The
     * addon may change the status and the fields of {@code flow.response()}.
     */
    default void onResponseHead(Flow flow) {
    }

    /** The exchange has ended, normally or not. */
    default void onDone(Flow flow) {
    }
}
