package dev.wiretap.proxy.event;

import dev.wiretap.proxy.flow.Flow;

/**
 * A change in a flow, published to every {@link FlowListener} on the connection's thread, in this order for one
 * flow: {@link Requested}, then {@link Responded} (if a response head came), then {@link Completed} or
 * {@link Failed}. A flow that intercept pauses adds {@link Paused} and then {@link Released} after its request
 * (before any response) or after its response head (before the end), once per pause. The flow is the live object: read it in the listener, or hand it to another thread (the
 * hand-over makes what was written before the event visible there).
 */
public sealed interface FlowEvent {

    Flow flow();

    /** The request head has arrived and its destination is known. */
    record Requested(Flow flow) implements FlowEvent {
    }

    /** The response head is known (from the origin, or made by wiretap); its body is about to stream. */
    record Responded(Flow flow) implements FlowEvent {
    }

    /**
     * The flow stopped at an intercept and waits for the user: {@code flow.paused()} says at which message.
     * Published on the connection's thread just before it parks.
     */
    record Paused(Flow flow) implements FlowEvent {
    }

    /**
     * A paused flow was let go, {@code how}: resumed by the user (perhaps edited), dropped, or timed out. Published
     * on the connection's thread as it wakes; for a drop, {@link Failed} follows.
     */
    record Released(Flow flow, Release how) implements FlowEvent {
    }

    /** How a paused flow was let go. */
    enum Release {
        /** The user resumed it: it goes on as it stands, with any edits made while it waited. */
        RESUMED,
        /** The user dropped it (or wiretap stopped while it waited): the client connection is cut. */
        DROPPED,
        /** Nobody decided within the intercept timeout: it goes on as it stands, with a note saying so. */
        TIMED_OUT
    }

    /**
     * More of a flow in flight has arrived: WebSocket messages, or the body of a response that has been streaming for a
     * while (server-sent events, a long poll, a slow download). Published on the connection's thread at most every
     * {@value #PROGRESS_MILLIS} ms per flow, so a burst's last messages may come without an event of their own: a view
     * that shows a flow grow reads it again until it ends (it is the live object, and its body and messages may be
     * read from any thread).
     */
    record Progressed(Flow flow) implements FlowEvent {
    }

    /** The least time between two {@link Progressed} events of one flow. */
    long PROGRESS_MILLIS = 100;

    /** The exchange (or tunnel) ended normally. */
    record Completed(Flow flow) implements FlowEvent {
    }

    /** The exchange ended with an error; {@code flow.error()} says which. */
    record Failed(Flow flow) implements FlowEvent {
    }
}
