package dev.wiretap.cli.console;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.flow.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Feeds the console's live flow list. On the proxy's threads it only copies a finished flow into a {@link FlowRow}
 * and offers it to a bounded queue; a thread of its own (the painter) decides which queued rows the view's filter
 * selects, reading each flow back from the flow store (a body term decodes the body: that must not hold up the proxy),
 * and prints them every {@value #TICK_MILLIS} ms. When more rows arrive in one tick than a person can read, it prints
 * the newest {@value #MAX_ROWS_PER_TICK} after a line saying how many it skipped ({@code list} shows them all), so the
 * console keeps up with any rate and never slows the proxy. While a pager owns the screen the feed is held and rows
 * wait.
 *
 * <p>Made before the proxy starts and given to {@code Wiretap.start} among its listeners, so that it sees every flow
 * from the first: a feed added once the console is up (opening the terminal takes most of a second) would miss the
 * flows that finish meanwhile. Rows wait in the queue until {@link #start} gives the feed its printer.
 *
 * <p>Thread-safe: the view filter is volatile; the queue is the only hand-over. The queue holds rows and flow numbers,
 * never flows, so a backlog costs no more than its rows, whatever the bodies.
 */
public final class FlowFeed implements FlowListener {

    static final long TICK_MILLIS = 100;
    static final int MAX_ROWS_PER_TICK = 40;

    /** A row waiting to be painted; {@code flowId} is the finished flow the view decides on, or -1 for a row always shown. */
    private record Pending(FlowRow row, long flowId) {
    }

    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(16_384);
    private final LongAdder overflowed = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder bytesFromClients = new LongAdder();
    private final LongAdder bytesToClients = new LongAdder();
    private volatile Consumer<List<FlowRow>> printer;
    private volatile LongFunction<Optional<Flow>> flows;
    private final Thread painter;
    private volatile Filter view = Filter.ALL;
    private volatile InterceptAddon intercept;
    /** On the painter's thread: how many unpaused matches the list has told of. */
    private long unpausedTold;
    private volatile boolean held;
    private volatile boolean stopped;

    public FlowFeed() {
        this.painter = Thread.ofPlatform().name("wiretap-console-feed").daemon(true).unstarted(this::paintLoop);
    }

    /**
     * Starts printing, the rows queued so far first.
     *
     * @param printer prints a tick's rows (on the feed's thread); a line of text in the list's place is a
     *                {@link FlowRow#isText()} row
     * @param flows   a finished flow by its number (the flow store's), for the view's filter on the painter's thread
     */
    void start(Consumer<List<FlowRow>> printer, LongFunction<Optional<Flow>> flows) {
        this.printer = printer;
        this.flows = flows;
        painter.start();
    }

    void stop() {
        stopped = true;
        painter.interrupt();
    }

    /**
     * Tells, in the list, of flows the intercept selected but let go on without pausing because a limit on paused
     * flows was reached, with the reason; from the matches after this call on.
     */
    void watch(InterceptAddon addon) {
        unpausedTold = addon.unpausedCount();
        intercept = addon;
    }

    Filter view() {
        return view;
    }

    /** Lists only the flows {@code filter} selects from now on (the {@code filter} command; {@code --filter} at start). */
    public void setView(Filter filter) {
        view = filter;
    }

    /** Holds the rows back (a pager owns the screen) until {@link #release}. */
    void hold() {
        held = true;
    }

    void release() {
        held = false;
    }

    long bytesFromClients() {
        return bytesFromClients.sum();
    }

    long bytesToClients() {
        return bytesToClients.sum();
    }

    int inFlight() {
        return Math.max(0, inFlight.get());
    }

    @Override
    public void onEvent(FlowEvent event) {
        switch (event) {
            case FlowEvent.Requested r -> inFlight.incrementAndGet();
            case FlowEvent.Completed c -> finished(c.flow());
            case FlowEvent.Failed f -> finished(f.flow());
            case FlowEvent.Paused p -> offer(FlowRow.of(p.flow(), FlowRow.State.PAUSED)); // always: it waits for the user
            case FlowEvent.Released r when r.how() == FlowEvent.Release.TIMED_OUT -> offer(FlowRow.text("flow " + r.flow().id()
                    + " waited for the intercept's timeout and went on" + (r.flow().isDone() ? "" : " as it stood")));
            default -> {
            }
        }
    }

    private void offer(FlowRow row) {
        if (!queue.offer(new Pending(row, -1))) {
            overflowed.increment();
        }
    }

    private void finished(Flow flow) {
        inFlight.decrementAndGet();
        if (!flow.isIntercepted()) {
            bytesFromClients.add(flow.bytesFromClient()); // an intercepted tunnel's bytes are its requests' bytes
            bytesToClients.add(flow.bytesToClient());
        }
        if (isTunnelOfItsRequests(flow)) {
            return;
        }
        if (!queue.offer(new Pending(FlowRow.of(flow), flow.id()))) {
            overflowed.increment();
        }
    }

    /** The CONNECT of an intercepted tunnel, whose requests show themselves. */
    private static boolean isTunnelOfItsRequests(Flow flow) {
        return flow.isIntercepted() && flow.error().isEmpty();
    }

    /**
     * Whether the list shows this flow: in the view (bodies decoded for body terms), and not the CONNECT of a tunnel
     * whose requests show themselves. For the console's and the painter's threads, never a connection's.
     */
    boolean isShown(Flow flow) {
        if (isTunnelOfItsRequests(flow)) {
            return false;
        }
        Filter filter = view;
        return filter == Filter.ALL || filter.matches(FlowExchange.decoding(flow));
    }

    /** Whether a queued row is in the view now; on the painter's thread. */
    private boolean isShown(Pending pending, Filter filter) {
        if (pending.flowId() < 0 || filter == Filter.ALL) {
            return true;
        }
        try {
            // A flow the store no longer holds (let go under a tiny budget) cannot be judged: shown rather than lost.
            return flows.apply(pending.flowId()).map(f -> filter.matches(FlowExchange.decoding(f))).orElse(true);
        } catch (RuntimeException e) {
            return true; // a filter that cannot decide shows the flow rather than hide it
        }
    }

    private void paintLoop() {
        List<Pending> pending = new ArrayList<>(1024);
        List<FlowRow> batch = new ArrayList<>(1024);
        while (!stopped) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (held) {
                continue;
            }
            queue.drainTo(pending);
            Filter filter = view;
            for (Pending p : pending) {
                if (isShown(p, filter)) {
                    batch.add(p.row());
                }
            }
            pending.clear();
            long skipped = overflowed.sumThenReset();
            if (batch.size() > MAX_ROWS_PER_TICK) {
                skipped += batch.size() - MAX_ROWS_PER_TICK;
                batch.subList(0, batch.size() - MAX_ROWS_PER_TICK).clear();
            }
            if (skipped > 0) {
                batch.add(0, skippedRow(skipped));
            }
            unpausedRow().ifPresent(batch::add);
            try {
                if (!batch.isEmpty()) {
                    printer.accept(batch);
                }
            } catch (RuntimeException e) {
                // The terminal went away or broke; the console's own thread notices and ends. Never stop painting
                // over one bad write.
            }
            batch.clear();
        }
    }

    /** A line telling of matches that went on without pausing since the last one, if any; on the painter's thread. */
    private Optional<FlowRow> unpausedRow() {
        InterceptAddon addon = intercept;
        if (addon == null) {
            return Optional.empty();
        }
        long count = addon.unpausedCount();
        if (count <= unpausedTold) {
            return Optional.empty();
        }
        long news = count - unpausedTold;
        unpausedTold = count;
        return Optional.of(FlowRow.text("intercept: " + (news == 1 ? "1 matching flow" : news + " matching flows")
                + " went on without pausing, as " + addon.lastUnpausedReason().orElse("a limit was reached")
                + " (resume or drop paused flows to make room)"));
    }

    private static FlowRow skippedRow(long skipped) {
        return FlowRow.text("… " + skipped + (skipped == 1 ? " more flow (list shows it)" : " more flows (list shows them)"));
    }
}
