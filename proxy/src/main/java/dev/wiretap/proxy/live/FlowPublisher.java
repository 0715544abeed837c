package dev.wiretap.proxy.live;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowEvents;

/**
 * The engine's side of {@link FlowEvents}: the one that publishes. Made by {@code Wiretap}, held by the server's context
 * (the exchanges publish their flows' events) and by the intercept (paused and released). Thread-safe, as its parent.
 */
public final class FlowPublisher extends FlowEvents {

    /**
     * The publisher behind {@code events}: total, since {@code FlowEvents} is sealed with this one subclass. For the
     * engine's own addons, which are given the user's view.
     */
    public static FlowPublisher of(FlowEvents events) {
        return switch (events) {
            case FlowPublisher publisher -> publisher;
        };
    }

    @Override
    public void publish(FlowEvent event) {
        super.publish(event);
    }
}
