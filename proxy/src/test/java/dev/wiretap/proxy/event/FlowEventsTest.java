package dev.wiretap.proxy.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.live.FlowPublisher;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowEventsTest {

    @Test
    void deliversToEveryListenerInRegistrationOrder() {
        FlowPublisher events = new FlowPublisher();
        List<String> seen = new ArrayList<>();
        events.add(e -> seen.add("first " + e.flow().id()));
        events.add(e -> seen.add("second " + e.flow().id()));

        events.publish(new FlowEvent.Requested(FlowStoreTest.flow(1)));
        events.publish(new FlowEvent.Completed(FlowStoreTest.flow(2)));

        assertEquals(List.of("first 1", "second 1", "first 2", "second 2"), seen);
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() {
        FlowPublisher events = new FlowPublisher();
        List<FlowEvent> before = new ArrayList<>();
        List<FlowEvent> after = new ArrayList<>();
        events.add(before::add);
        events.add(e -> {
            throw new IllegalStateException("a listener's bug (expected in this test)");
        });
        events.add(after::add);
        Flow flow = FlowStoreTest.flow(1);
        FlowEvent requested = new FlowEvent.Requested(flow);
        FlowEvent completed = new FlowEvent.Completed(flow);

        events.publish(requested);
        events.publish(completed);

        assertEquals(List.of(requested, completed), before);
        assertEquals(List.of(requested, completed), after);
    }

    @Test
    void aRemovedListenerHearsNothingMore() {
        FlowPublisher events = new FlowPublisher();
        List<FlowEvent> seen = new ArrayList<>();
        FlowListener listener = seen::add;
        events.add(listener);
        events.publish(new FlowEvent.Requested(FlowStoreTest.flow(1)));

        events.remove(listener);
        events.publish(new FlowEvent.Requested(FlowStoreTest.flow(2)));

        assertEquals(1, seen.size());
    }
}
