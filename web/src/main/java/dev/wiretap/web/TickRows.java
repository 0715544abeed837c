package dev.wiretap.web;

import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.flow.Flow;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The flows one tick of the {@link LiveFeed} sends, read back from the flow store by id when an event goes out rather
 * than copied into rows as they change: under busy traffic a browser is sent the newest hundred of the thousands of
 * flows that changed since its last event, so a row made for each change was made for nothing but one in a hundred
 * (docs/benchmarks.md, "The web UI's cost"). Each flow is read, and made into a row, once for all the clients of a
 * tick. A flow the store no longer holds (evicted, or cleared) is not found. The feed's thread alone; one per tick.
 */
final class TickRows {

    private final FlowHistory store;
    private final Map<Long, Optional<Flow>> flows = new HashMap<>();
    private final Map<Long, FlowSummary> rows = new HashMap<>();

    TickRows(FlowHistory store) {
        this.store = store;
    }

    /** The flow with {@code id} as it is now: the live one while in flight, else the store's copy. */
    Optional<Flow> flow(long id) {
        return flows.computeIfAbsent(id, store::get);
    }

    /** The row of a flow {@link #flow} found. */
    FlowSummary row(Flow flow) {
        return rows.computeIfAbsent(flow.id(), id -> FlowSummary.of(flow));
    }
}
