package dev.wiretap.proxy;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.filter.FilterException;
import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.event.FlowStore;
import dev.wiretap.proxy.export.HarWriter;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Finished flows as a test asks for them: those a filter selects ({@link Wiretap#flows}), the first one to arrive
 * ({@link Wiretap#awaitFlow}), a HAR of them ({@link Wiretap#har}), and forgetting them ({@link Wiretap#clearFlows}),
 * after which only flows whose request arrives later are seen (even if an older one finishes afterwards). Filters see
 * flows as everything that shows recorded flows does: bodies decoded ({@link FlowExchange#decoding}), on the caller's
 * thread. Thread-safe.
 */
final class FlowQueries {

    private final FlowStore store;
    private final FlowEvents events;
    private final LongSupplier lastId;
    /** Flows numbered up to this one are forgotten ({@link #clear}). */
    private volatile long clearedThrough;

    FlowQueries(FlowStore store, FlowEvents events, LongSupplier lastId) {
        this.store = store;
        this.events = events;
        this.lastId = lastId;
    }

    /** The finished flows {@code filter} selects, oldest first. */
    List<Flow> flows(String filter) {
        Filter f = parse(filter);
        List<Flow> found = new ArrayList<>();
        for (Flow flow : store.inOrder()) {
            if (flow.isDone() && isSeen(flow) && f.matches(FlowExchange.decoding(flow))) {
                found.add(flow);
            }
        }
        return found;
    }

    /**
     * The first finished flow {@code filter} selects, one there already or the first to finish within {@code timeout}.
     *
     * @throws FlowTimeoutException if none did; the message lists the flows seen meanwhile
     */
    Flow await(String filter, Duration timeout) {
        Filter f = parse(filter);
        BlockingQueue<Flow> finished = new LinkedBlockingQueue<>();
        FlowListener listener = event -> {
            if (event instanceof FlowEvent.Completed || event instanceof FlowEvent.Failed) {
                finished.add(event.flow()); // matched on the waiting thread: a filter may decode bodies
            }
        };
        events.add(listener); // before looking in the store, so that no flow finishes unseen in between
        try {
            Optional<Flow> already = flows(filter).stream().findFirst();
            if (already.isPresent()) {
                return already.get();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (long left = timeout.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                Flow flow = finished.poll(left, TimeUnit.NANOSECONDS);
                if (flow != null && isSeen(flow) && f.matches(FlowExchange.decoding(flow))) {
                    return flow;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlowTimeoutException("interrupted while waiting for a flow matching '" + filter + "'");
        } finally {
            events.remove(listener);
        }
        throw new FlowTimeoutException("no flow matching '" + filter + "' finished within " + timeout.toMillis() + " ms; "
                + seen());
    }

    /** Forgets every flow so far: finished ones leave the store, and those still in flight will not be seen. */
    int clear() {
        clearedThrough = lastId.getAsLong();
        return store.clear();
    }

    /**
     * Writes the finished flows {@code filter} selects to {@code file} as HAR 1.2 (its directory made if need be).
     *
     * @return how many entries it holds
     */
    int har(Path file, String filter) throws IOException {
        Filter f = parse(filter);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Iterable<Flow> seen = () -> flows("").iterator();
        return HarWriter.write(file, seen, f, "").entries();
    }

    private boolean isSeen(Flow flow) {
        return flow.id() > clearedThrough;
    }

    /** The flows there are, for a message: how many, and the newest few as method, URL and status. */
    private String seen() {
        List<Flow> all = flows("");
        if (all.isEmpty()) {
            return "no flows finished";
        }
        StringBuilder sb = new StringBuilder(all.size() + (all.size() == 1 ? " flow" : " flows") + " finished:");
        for (Flow flow : all.subList(Math.max(0, all.size() - 10), all.size())) {
            sb.append("\n  #").append(flow.id()).append(' ').append(flow.request().method()).append(' ')
                    .append(flow.request().url()).append(' ')
                    .append(flow.response().map(r -> Integer.toString(r.status())).orElse("(no response)"))
                    .append(flow.error().map(e -> " " + e.message()).orElse(""));
        }
        return sb.toString();
    }

    private static Filter parse(String filter) {
        try {
            return Filter.parse(filter);
        } catch (FilterException e) {
            throw new IllegalArgumentException("invalid filter '" + filter + "': " + e.getMessage(), e);
        }
    }
}
