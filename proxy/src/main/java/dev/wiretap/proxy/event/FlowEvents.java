package dev.wiretap.proxy.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Delivers flow events to the registered listeners, in registration order. Thread-safe: listeners may be added
 * and removed while events flow (a copy-on-write list, as changes are rare and deliveries constant).
 */
public final class FlowEvents {

    private static final System.Logger LOG = System.getLogger(FlowEvents.class.getName());

    private final List<FlowListener> listeners = new CopyOnWriteArrayList<>();

    public void add(FlowListener listener) {
        listeners.add(listener);
    }

    public void remove(FlowListener listener) {
        listeners.remove(listener);
    }

    public void publish(FlowEvent event) {
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
