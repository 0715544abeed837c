package dev.wiretap.proxy.event;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowRecords;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The recent flows as users and the faces read them ({@code Wiretap.history()}): the flows in flight, live, and the
 * finished ones the store keeps within its budget, decoded as they are read. Read-only: flows get in as the engine
 * publishes them or through {@code Wiretap.importFlows}, and out through {@code Wiretap.clearFlows} or the budget.
 * Sealed: the {@link FlowStore} is the one history. Thread-safe.
 */
public sealed interface FlowHistory permits FlowStore {

    /** The position before every record: {@link #readBack} from here starts at the newest flows. */
    long NEWEST = Long.MAX_VALUE;

    /**
     * A page of a {@link #readBack}: the flows it selected, newest first, and the position to read on from, absent when
     * the oldest flow held has been looked at.
     */
    record Page(List<Flow> flows, OptionalLong next) {
        public Page {
            flows = List.copyOf(flows);
        }
    }

    /** The flow with {@code id}: the live one if in flight, else a decoded copy of the stored one. */
    Optional<Flow> get(long id);

    /** Every flow held now, in order of arrival (by id): stored ones decoded, in-flight ones live. */
    List<Flow> snapshot();

    /**
     * The flows held now, in order of arrival (by id) as {@link #snapshot} lists them, but each stored one decoded only
     * when the caller comes to it: for writers that go through the whole store (a HAR at exit, a session file) without
     * holding it twice over. What is taken at the call is the list of ids (a few bytes a flow); a flow evicted or
     * cleared before the caller reaches it is skipped. The iterable is for one pass on one thread.
     */
    Iterable<Flow> inOrder();

    /**
     * The newest {@code max} flows that {@code test} accepts, oldest first: in-flight ones live, stored ones decoded.
     * Reads from the newest back and stops when it has enough. {@code test} runs on the caller's thread, outside the
     * store's lock.
     */
    List<Flow> recent(int max, Predicate<Flow> test);

    /**
     * Reads the store back from position {@code before} ({@link #NEWEST} first, then a page's {@link Page#next}): up to
     * {@code max} flows that {@code test} accepts, newest first. From {@link #NEWEST} the flows in flight come first (the
     * live objects), then the stored ones in the reverse of the order they finished; the pages of one reading are
     * disjoint and, together, hold every flow that was held when the reading began and still is. A page may hold fewer
     * than {@code max} flows when more follow: {@link Page#next} says so.
     *
     * @param withBodies false to leave the bodies' bytes out ({@link FlowRecords#readWithoutBodies}: sizes kept), for
     *                   lists; then {@code test} must not read bodies, and neither may whoever gets the page
     */
    Page readBack(long before, int max, boolean withBodies, Predicate<Flow> test);

    /** Flows held now, finished and in flight. */
    int size();

    /** Bytes the store holds: its chunks, its index, and an estimate of the flows in flight. */
    long usedBytes();

    /** The most bytes the store holds before it drops its oldest flows. */
    long budgetBytes();

    /** How many finished flows were dropped to stay within the budget. */
    long evictedCount();
}
