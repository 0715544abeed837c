package dev.wiretap.proxy.event;

import dev.wiretap.proxy.flow.Flow;

/**
 * A change in a flow, published to every {@link FlowListener} on the connection's thread, in this order for one
 * flow: {@link Requested}, then {@link Responded} (if a response head came), then {@link Completed} or
 * {@link Failed}. The flow is the live object: read it in the listener, or hand it to another thread (the
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

    /** The exchange (or tunnel) ended normally. */
    record Completed(Flow flow) implements FlowEvent {
    }

    /** The exchange ended with an error; {@code flow.error()} says which. */
    record Failed(Flow flow) implements FlowEvent {
    }
}
