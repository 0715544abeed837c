package dev.wiretap.proxy.event;

/**
 * Receives {@link FlowEvent}s. Called on the connection's own thread, so it must be quick and must not block:
 * a slow consumer (a console, a file writer) copies the event to its own queue and thread. Exceptions thrown
 * here are caught and logged; they never break an exchange.
 */
@FunctionalInterface
public interface FlowListener {

    void onEvent(FlowEvent event);
}
