package dev.wiretap.web;

import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.flow.Flow;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the engine's own counters do not: the bytes relayed each way, the exchanges in flight, and how many
 * flows each rule applied to (by the rule's name, as flows record it, so a rule keeps its count across config
 * reloads). Counted as flows end, on the proxy's threads: a few additions per flow, nothing kept per flow. Thread-safe.
 */
final class TrafficCounts implements FlowListener {

    private final LongAdder bytesFromClients = new LongAdder();
    private final LongAdder bytesToClients = new LongAdder();
    private final LongAdder inFlight = new LongAdder();
    private final Map<String, LongAdder> ruleCounts = new ConcurrentHashMap<>();

    @Override
    public void onEvent(FlowEvent event) {
        switch (event) {
            case FlowEvent.Requested r -> inFlight.increment();
            case FlowEvent.Completed c -> finished(c.flow());
            case FlowEvent.Failed f -> finished(f.flow());
            default -> {
            }
        }
    }

    private void finished(Flow flow) {
        inFlight.decrement();
        if (!flow.isIntercepted()) {
            bytesFromClients.add(flow.bytesFromClient()); // an intercepted tunnel's bytes are its requests' bytes
            bytesToClients.add(flow.bytesToClient());
        }
        for (String rule : flow.appliedRules()) {
            ruleCounts.computeIfAbsent(rule, r -> new LongAdder()).increment();
        }
    }

    long bytesFromClients() {
        return bytesFromClients.sum();
    }

    long bytesToClients() {
        return bytesToClients.sum();
    }

    long inFlight() {
        return Math.max(0, inFlight.sum());
    }

    /** How many flows that ended applied the rule named {@code name}. */
    long appliedCount(String name) {
        LongAdder n = ruleCounts.get(name);
        return n == null ? 0 : n.sum();
    }
}
