package dev.wiretap.proxy.event;

import dev.wiretap.proxy.flow.Flow;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The recent flows, in order of arrival, within a memory budget: when the flows' estimated size passes the
 * budget, the oldest finished ones are dropped first. In-flight flows are kept (and counted) until they finish.
 * The console, HAR export and replay read from here.
 *
 * <p>Thread-safe: the lock guards the map and the running size; it is held only for map updates, never while
 * calling out.
 */
public final class FlowStore implements FlowListener {

    private final long budgetBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Long, Entry> flows = new LinkedHashMap<>();
    private long usedBytes;
    private long evicted;

    private static final class Entry {
        final Flow flow;
        long bytes;

        Entry(Flow flow, long bytes) {
            this.flow = flow;
            this.bytes = bytes;
        }
    }

    public FlowStore(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    @Override
    public void onEvent(FlowEvent event) {
        switch (event) {
            case FlowEvent.Requested r -> add(r.flow());
            case FlowEvent.Completed c -> finish(c.flow());
            case FlowEvent.Failed f -> finish(f.flow());
            case FlowEvent.Responded r -> { }
        }
    }

    private void add(Flow flow) {
        long bytes = flow.estimatedBytes();
        lock.lock();
        try {
            flows.put(flow.id(), new Entry(flow, bytes));
            usedBytes += bytes;
            evictOverBudget();
        } finally {
            lock.unlock();
        }
    }

    private void finish(Flow flow) {
        long bytes = flow.estimatedBytes();
        lock.lock();
        try {
            Entry e = flows.get(flow.id());
            if (e == null) {
                return; // already evicted while in flight is impossible (in-flight flows stay), so it was never added
            }
            usedBytes += bytes - e.bytes;
            e.bytes = bytes;
            evictOverBudget();
        } finally {
            lock.unlock();
        }
    }

    private void evictOverBudget() {
        if (usedBytes <= budgetBytes) {
            return;
        }
        Iterator<Entry> it = flows.values().iterator();
        while (usedBytes > budgetBytes && it.hasNext()) {
            Entry e = it.next();
            if (e.flow.isDone()) {
                it.remove();
                usedBytes -= e.bytes;
                evicted++;
            }
        }
    }

    public Optional<Flow> get(long id) {
        lock.lock();
        try {
            Entry e = flows.get(id);
            return e == null ? Optional.empty() : Optional.of(e.flow);
        } finally {
            lock.unlock();
        }
    }

    /** The flows held now, oldest first. */
    public List<Flow> snapshot() {
        lock.lock();
        try {
            List<Flow> list = new ArrayList<>(flows.size());
            for (Entry e : flows.values()) {
                list.add(e.flow);
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return flows.size();
        } finally {
            lock.unlock();
        }
    }

    /** The estimated bytes the held flows take. */
    public long usedBytes() {
        lock.lock();
        try {
            return usedBytes;
        } finally {
            lock.unlock();
        }
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** How many flows were dropped to stay within the budget. */
    public long evictedCount() {
        lock.lock();
        try {
            return evicted;
        } finally {
            lock.unlock();
        }
    }

    public void clear() {
        lock.lock();
        try {
            flows.values().removeIf(e -> {
                if (e.flow.isDone()) {
                    usedBytes -= e.bytes;
                    return true;
                }
                return false;
            });
        } finally {
            lock.unlock();
        }
    }
}
