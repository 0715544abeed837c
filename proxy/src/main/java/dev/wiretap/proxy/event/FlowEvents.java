package dev.wiretap.proxy.event;

import dev.wiretap.proxy.live.FlowPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The flow listeners of a wiretap ({@code Wiretap.events()}): users add and remove them here; the engine delivers each
 * event to them in registration order. Only the engine publishes, through its one subclass ({@code FlowPublisher}, in
 * a package the module does not export), hence sealed. Thread-safe: listeners may be added and removed while events
 * flow (a copy-on-write list, as changes are rare and deliveries constant).
 */
public abstract sealed class FlowEvents permits FlowPublisher {

    private static final System.Logger LOG = System.getLogger(FlowEvents.class.getName());

    private final List<FlowListener> listeners = new CopyOnWriteArrayList<>();

    protected FlowEvents() {
    }

    public void add(FlowListener listener) {
        listeners.add(listener);
    }

    public void remove(FlowListener listener) {
        listeners.remove(listener);
    }

    /** Delivers {@code event} to every listener, on the caller's thread; a listener that throws is logged and skipped. */
    protected void publish(FlowEvent event) {
        for (FlowListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                // A listener's bug must not break the exchange it is watching; it is logged for its author.
                LOG.log(System.Logger.Level.WARNING, "flow listener " + listener + " failed on " + event, e);
            }
        }
    }
}
