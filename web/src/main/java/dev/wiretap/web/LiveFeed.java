package dev.wiretap.web;

import dev.wiretap.proxy.addon.InterceptAddon;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.event.FlowListener;
import dev.wiretap.proxy.flow.Flow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Feeds the browsers' live lists. On the proxy's threads it only offers a changed flow to a bounded queue, and only
 * while some browser follows (with none, an event costs one check); a thread of its own ({@code wiretap-web-feed})
 * takes what gathered (at every tick, and whenever {@value #TAKE_EVERY_EVENTS} more events were handed over) to every
 * {@link EventClient}, which keeps the ids of the newest flows it may send, and every {@value #TICK_MILLIS} ms tells
 * the clients to send what they kept, as rows made then from the flow store ({@link TickRows}: a flow's row made once
 * for all of them, and only for a flow that goes out): never one message per flow, and never a wait on a browser. If
 * the queue overflows (traffic far beyond what a list can show), the browsers are told to fetch the list again. When
 * a flow paused or went on, or the intercept's filter changed, the tick also sends the intercept's state
 * ({@link InterceptState}) once.
 *
 * <p>Why the queue is taken far more often than the ticks at busy times: a flow in the queue is the live object, bodies
 * and all, that the flow store let go when the flow ended (it keeps a compact copy). At 10,000 flows a second of
 * 16 KiB bodies, a tick's worth of them was some 16 MiB that outlived the young generation's collections, was copied
 * into the old one and made the collector compact the whole heap every second or so: wiretap's own CPU per request
 * went up by a third with a browser following (docs/benchmarks.md, "The web UI's cost"). Taken every
 * {@value #TAKE_EVERY_EVENTS} events (a flow has three: requested, responded, completed), the queue holds a few dozen
 * flows at most, and after that nothing here holds them: the clients keep ids. The feed's
 * thread is woken for it by the proxy's thread that hands over the {@value #TAKE_EVERY_EVENTS}th event, rather than
 * waking every few milliseconds on its own: a wake-up costs about 50 µs of CPU on a small virtual machine, so they
 * come only as often as the traffic needs (about 120 a second at 10,000 flows a second, ten a second when it is quiet).
 *
 * <p>Flows that grow while in flight (a WebSocket's messages, a streaming body: {@link FlowEvent.Progressed}) are
 * watched until they end: each tick, those that grew since the last one go to every client in one {@code messages}
 * event (how many messages, how many body bytes), never one event per message; a view showing one of them fetches
 * what is new.
 *
 * <p>Thread-safe: the clients set is concurrent; the queue (lock-free) is the hand-over.
 */
final class LiveFeed implements FlowListener, AutoCloseable {

    static final long TICK_MILLIS = 100;
    /** Events gathered in the queue that wake the feed's thread to take them, between ticks. */
    static final int TAKE_EVERY_EVENTS = 256;
    private static final int QUEUE = 16_384;

    /**
     * The hand-over: lock-free, so that a proxy's thread never waits for another or for the feed's taking (a lock here,
     * contended by every connection's thread three times a flow, parked and woke virtual threads). Bounded by
     * {@link #waiting}.
     */
    private final Queue<Flow> changed = new ConcurrentLinkedQueue<>();
    /** Flows in {@link #changed}: at most QUEUE (more: an overflow); every TAKE_EVERY_EVENTS-th wakes the feed's thread. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** What one taking found, and each flow once in the order of its last change; the feed's thread alone uses them. */
    private final List<Flow> drained = new ArrayList<>(1024);
    private final Map<Long, Flow> latest = new LinkedHashMap<>();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final AtomicBoolean clearedSinceTick = new AtomicBoolean();
    private final AtomicBoolean rereadSinceTick = new AtomicBoolean();
    private final Set<EventClient> clients = ConcurrentHashMap.newKeySet();
    /** Flows in flight that grow, and what each had at the last tick (messages, or body bytes); the feed's thread reads. */
    private final Map<Long, Flow> growing = new ConcurrentHashMap<>();
    private final Map<Long, Long> lastStamp = new java.util.HashMap<>();
    private final Thread ticker = Thread.ofPlatform().name("wiretap-web-feed").daemon(true).unstarted(this::tickLoop);
    /** The flow store: how many flows it holds, and the flows the ticks send. */
    private final FlowHistory store;
    private final java.util.function.LongSupplier clockMillis;
    /** The intercept whose state the browsers follow, or null (tests of the list alone). */
    private final InterceptAddon intercept;
    private final AtomicBoolean interceptChanged = new AtomicBoolean();
    /** The intercept's settings last sent; the feed's thread alone reads and writes it. */
    private InterceptState.Settings interceptSent;
    private volatile boolean stopped;

    /** @param store the flow store: the ticks send the flows as it has them, and how many it holds */
    LiveFeed(FlowHistory store) {
        this(store, null);
    }

    /** @param intercept the intercept whose waiting flows and settings the browsers follow */
    LiveFeed(FlowHistory store, InterceptAddon intercept) {
        this(store, intercept, () -> System.nanoTime() / 1_000_000);
    }

    /** @param clockMillis the time in milliseconds (any origin) that paces fast traffic; a test's own */
    LiveFeed(FlowHistory store, InterceptAddon intercept, java.util.function.LongSupplier clockMillis) {
        this.store = store;
        this.intercept = intercept;
        this.clockMillis = clockMillis;
    }

    void start() {
        ticker.start();
    }

    @Override
    public void onEvent(FlowEvent event) {
        if (event instanceof FlowEvent.Progressed p) {
            // Watched even while no browser follows: the events are throttled at the source, so one that came before a
            // browser joined may be the last this flow gets for a while. The flow store holds these flows anyway.
            growing.putIfAbsent(p.flow().id(), p.flow());
            return;
        }
        if (clients.isEmpty()) {
            return;
        }
        if (event instanceof FlowEvent.Paused || event instanceof FlowEvent.Released) {
            interceptChanged.set(true);
        }
        int gathered = waiting.incrementAndGet();
        if (gathered > QUEUE) {
            waiting.decrementAndGet();
            overflowed.set(true);
            return;
        }
        changed.offer(event.flow());
        if (gathered % TAKE_EVERY_EVENTS == 0) {
            LockSupport.unpark(ticker); // also at each multiple: a taking that overlaps a burst must not miss it
        }
    }

    /** Adds a client; its hello is queued first, so it sees every tick after it joined. */
    void join(EventClient client) {
        clients.add(client);
    }

    void leave(EventClient client) {
        clients.remove(client);
    }

    int clientCount() {
        return clients.size();
    }

    /** Flows handed over and not taken yet (for tests: none are kept while no browser follows). */
    int waitingCount() {
        return waiting.get();
    }

    /** Tells every client, at the next tick, the intercept's state (its filter changed, a waiting flow was edited). */
    void interceptChanged() {
        interceptChanged.set(true);
    }

    /** Tells every client, at the next tick, that the flows were forgotten. */
    void cleared() {
        clearedSinceTick.set(true);
    }

    /**
     * Tells every client, at the next tick, to read the list again: flows went into the store without events (an
     * import).
     */
    void reread() {
        rereadSinceTick.set(true);
    }

    private void tickLoop() {
        long tickNanos = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);
        long nextTick = System.nanoTime() + tickNanos;
        while (!stopped) {
            long wait = nextTick - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait); // until the tick, or a proxy's thread handed over enough to take
            }
            if (stopped || Thread.currentThread().isInterrupted()) {
                return;
            }
            long now = System.nanoTime();
            if (now - nextTick >= 0) {
                tickNow();
                nextTick = now - nextTick < tickNanos ? nextTick + tickNanos : now + tickNanos; // late: no catching up
            } else {
                drainNow();
            }
        }
    }

    /**
     * Takes the flows handed over since the last taking to every client, which keeps the ids it may send. The feed's
     * thread; a test's, for a feed not started.
     */
    void drainNow() {
        clients.removeIf(EventClient::isClosed);
        Flow flow;
        for (int n = waiting.get(); n > 0 && (flow = changed.poll()) != null; n--) { // what was there: no endless taking
            drained.add(flow);
        }
        waiting.addAndGet(-drained.size());
        try {
            take();
        } catch (RuntimeException e) {
            failed(e);
        } finally {
            drained.clear();
            latest.clear();
        }
    }

    /** One tick: what the clients kept since the last goes out (after a last taking). As {@link #drainNow}. */
    void tickNow() {
        drainNow();
        try {
            grown();
            tellFlows();
            tellIntercept();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /** A bug must not end the feed for good: the browsers fetch the list again and carry on. */
    private void failed(RuntimeException e) {
        System.getLogger(LiveFeed.class.getName()).log(System.Logger.Level.WARNING, "web UI feed failed", e);
        clients.forEach(EventClient::resync);
    }

    private void take() {
        if (clearedSinceTick.getAndSet(false)) {
            clients.forEach(EventClient::cleared);
        }
        if (overflowed.getAndSet(false) | rereadSinceTick.getAndSet(false)) {
            clients.forEach(EventClient::resync);
            return;
        }
        if (drained.isEmpty() || clients.isEmpty()) {
            return;
        }
        for (Flow flow : drained) {
            latest.remove(flow.id()); // keeps each flow once, where its last change put it
            latest.put(flow.id(), flow);
        }
        for (EventClient client : clients) {
            client.take(latest.values());
        }
    }

    /** Tells every client to send the rows it kept; also without news, which sends the rows that waited (fast traffic). */
    private void tellFlows() {
        if (clients.isEmpty()) {
            return;
        }
        long heldNow = store.size();
        long nowMillis = clockMillis.getAsLong();
        TickRows rows = new TickRows(store);
        for (EventClient client : clients) {
            client.send(heldNow, nowMillis, rows);
        }
    }

    /** Tells every client which growing flows grew since the last tick; forgets the ones that ended. */
    private void grown() {
        if (growing.isEmpty()) {
            return;
        }
        List<EventClient.Growth> news = new ArrayList<>();
        for (var it = growing.values().iterator(); it.hasNext(); ) {
            Flow flow = it.next();
            long messages = flow.webSocket().map(ws -> ws.total()).orElse(-1L);
            long body = flow.response().map(r -> r.body().size()).orElse(0L);
            long stamp = messages >= 0 ? messages : body;
            boolean done = flow.isDone();
            Long last = lastStamp.put(flow.id(), stamp);
            if (last == null || last != stamp || done) {
                news.add(new EventClient.Growth(flow.id(), messages, body, done));
            }
            if (done) {
                it.remove();
                lastStamp.remove(flow.id());
            }
        }
        if (!news.isEmpty()) {
            clients.forEach(c -> c.grew(news));
        }
    }

    /**
     * Sends the intercept's state when it changed since the last tick: a flow paused or went on, or the filter was set
     * from here or elsewhere (the console). After the tick's rows, so a paused flow's row is known when it is listed.
     */
    private void tellIntercept() {
        if (intercept == null || clients.isEmpty()) {
            return;
        }
        InterceptState.Settings now = InterceptState.Settings.of(intercept);
        if (interceptChanged.getAndSet(false) | !now.equals(interceptSent)) {
            interceptSent = now;
            byte[] json = InterceptState.json(intercept);
            clients.forEach(c -> c.intercept(json));
        }
    }

    @Override
    public void close() {
        stopped = true;
        ticker.interrupt();
        clients.forEach(EventClient::close);
        clients.clear();
    }
}
