package dev.wiretap.proxy.addon;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.HeldMessage;

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
     * The request is in hand, for a flow an addon held at its head ({@code flow.hold(Flow.Side.REQUEST)} in
     * {@link #onRequestHead}); runs for no other flow. The body has been read into memory whole when it fits within
     * the capture cap ({@code flow.hasWholeBody(REQUEST)}: then {@code flow.request().setBody} replaces it); a larger
     * one goes on as it comes. Nothing has been sent upstream. The addon may change the request as in
     * {@link #onRequestHead}, block here (intercept waits for the user), or drop the exchange ({@code flow.drop}).
     */
    default void onRequest(Flow flow) {
    }

    /**
     * The response head has arrived (or been made by wiretap); nothing of it has been sent to the client. The
     * addon may change the status and the fields of {@code flow.response()}.
     */
    default void onResponseHead(Flow flow) {
    }

    /**
     * The response is in hand, for a flow an addon held at its response head ({@code flow.hold(Flow.Side.RESPONSE)}
     * in {@link #onResponseHead}); runs for no other flow. As {@link #onRequest}: the body is in memory whole when it
     * fits within the capture cap, and nothing of the response has been sent to the client.
     */
    default void onResponse(Flow flow) {
    }

    /**
     * Whether this addon may answer requests in the origin's place (mocks), so that an intercepted tunnel is worth
     * opening to an origin that cannot be reached. Asked when a CONNECT's origin does not answer.
     */
    default boolean mayAnswerLocally() {
        return false;
    }

    /**
     * Whether this addon holds the messages of the WebSocket that {@code flow}'s request asks for, so that its
     * {@link #onWebSocketMessage} hook may change or drop them. Asked once, when a request asking to upgrade to
     * WebSocket is about to go to the origin (after {@link #onRequestHead}). When any addon says yes, wiretap removes
     * the request's {@code Sec-WebSocket-Extensions} (so that no compression is agreed and a changed message can go on
     * as a plain frame) and holds each data message until the hook has run. By default no: the socket's bytes go
     * through exactly as they came.
     */
    default boolean holdsWebSocketMessages(Flow flow) {
        return false;
    }

    /**
     * A WebSocket data message (text or binary) of {@code flow}, both ways, once it has ended: its content inflated and
     * as far as captured. On a socket some addon holds ({@link #holdsWebSocketMessages}), a message within the capture
     * cap waits until every addon has seen it, and {@code message.replace} or {@code message.drop} change what goes on;
     * otherwise it has already gone on and {@code message.isChangeable()} is false. Runs on the relay thread of the
     * message's direction (the other direction flows meanwhile); an exception is logged and the message goes on as it
     * stands. Control frames (ping, pong, close) are recorded on the flow but not passed here.
     */
    default void onWebSocketMessage(Flow flow, HeldMessage message) {
    }

    /** The exchange has ended, normally or not. */
    default void onDone(Flow flow) {
    }
}
