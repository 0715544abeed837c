package dev.wiretap.proxy.addon;

import dev.wiretap.config.CaptureSettings;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.edit.EditedResponse;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowEvents;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.FlowPublisher;
import dev.wiretap.proxy.live.LiveFlow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pauses the exchanges a filter selects until the user lets them go: the engine of the console's {@code intercept},
 * {@code edit}, {@code resume} and {@code drop}.
 *
 * <p>A request the filter selects is held at its head: its body is read into memory (whole when it fits within the
 * capture cap; bodies are never read whole otherwise) and the flow waits, before anything is sent upstream, until
 * the user resumes it (perhaps after editing method, URL, fields and body), drops it, or the intercept timeout
 * passes. With responses on, a response the filter selects (now with status and response fields known) waits in the
 * same way before anything of it reaches the client. Each waiting flow parks only its own connection's virtual
 * thread, so other connections go on. Waiting flows are listed in the order they began to wait ({@link #paused()}).
 *
 * <p>Dropping does what mitmproxy's kill does: the client connection is cut without a response (the client sees the
 * connection close), any origin connection is closed, and the flow fails as {@code DROPPED}. A flow whose wait
 * times out goes on as it stands (with the edits saved so far, if any), with a note saying so. Each pause publishes
 * {@link FlowEvent.Paused} when it begins and {@link FlowEvent.Released} when it ends, and leaves a note on the flow.
 * Flows answered by a rule, CONNECT tunnels and upgrades are not paused.
 *
 * <p>Paused flows are bounded, as each holds its client connection, its thread and its message in memory: at most
 * {@code maxPaused} wait at once (counting those held at a head until their body is in), and the bodies they hold stay
 * within {@code maxPausedBytes}. A flow the filter selects past either limit goes on without pausing, with a note
 * saying why; {@link #unpausedCount()} and {@link #lastUnpausedReason()} tell the console and the UI. A body is read
 * before the byte limit can judge it, so the memory held is at most the byte limit plus one capture cap per flow
 * held at a head.
 *
 * <p>Thread-safe. The hooks run on connection threads; the rest is called from the console's. One lock guards the
 * waiting flows; an edit changes the flow under it while its connection thread is parked, which takes the lock again
 * before it goes on, so the connection thread sees the edit.
 */
public final class InterceptAddon implements Addon {

    /** What to pause: nothing (no filter), or the flows a filter selects, at their requests and maybe responses. */
    private record Selection(Filter filter, boolean responses) {
    }

    /** One waiting flow; its fields other than the flow's are guarded by the addon's lock. */
    private static final class Pause {
        final Flow flow;
        final Flow.Side side;
        final Instant since;
        final Condition decided;
        FlowEvent.Release release;
        boolean edited;
        /** The bytes of the body it holds, counted in {@link #pausedBytes}. */
        long bytes;

        Pause(Flow flow, Flow.Side side, Instant since, Condition decided) {
            this.flow = flow;
            this.side = side;
            this.since = since;
            this.decided = decided;
        }
    }

    private final FlowPublisher events;
    private final Duration timeout;
    private final int maxPaused;
    private final long maxPausedBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}: the waiting flows by id, in the order they began to wait. */
    private final LinkedHashMap<Long, Pause> waiting = new LinkedHashMap<>();
    /** Guarded by {@link #lock}: the bytes of the bodies the waiting flows hold. */
    private long pausedBytes;
    /** Flows this addon held at a head and means to pause once the message is in hand (added under the lock). */
    private final Set<Long> heldRequests = ConcurrentHashMap.newKeySet();
    private final Set<Long> heldResponses = ConcurrentHashMap.newKeySet();
    private final LongAdder unpaused = new LongAdder();
    private volatile String lastUnpausedReason;
    private volatile Selection selection;
    private volatile boolean stopped;

    /**
     * With the default limits on paused flows ({@link CaptureSettings#DEFAULT_MAX_PAUSED} flows,
     * {@link CaptureSettings#DEFAULT_MAX_PAUSED_BYTES} of bodies).
     *
     * @param events  where the pause and release events go (the proxy's event bus)
     * @param timeout how long a flow waits for the user before it goes on by itself
     */
    public InterceptAddon(FlowEvents events, Duration timeout) {
        this(events, timeout, CaptureSettings.DEFAULT_MAX_PAUSED, CaptureSettings.DEFAULT_MAX_PAUSED_BYTES);
    }

    /**
     * @param maxPaused      at most this many flows wait at once
     * @param maxPausedBytes the bodies waiting flows hold stay within this
     */
    public InterceptAddon(FlowEvents events, Duration timeout, int maxPaused, long maxPausedBytes) {
        this.events = FlowPublisher.of(Objects.requireNonNull(events));
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the intercept timeout must be positive, got " + timeout);
        }
        if (maxPaused < 0 || maxPausedBytes < 0) {
            throw new IllegalArgumentException("the limits on paused flows must not be negative");
        }
        this.timeout = timeout;
        this.maxPaused = maxPaused;
        this.maxPausedBytes = maxPausedBytes;
    }

    @Override
    public String name() {
        return "intercept";
    }

    /**
     * Pauses, from now on, the requests {@code filter} selects, and with {@code responses} also the responses it
     * selects. Flows already waiting keep waiting.
     */
    public void setFilter(Filter filter, boolean responses) {
        selection = new Selection(Objects.requireNonNull(filter), responses);
    }

    /** Pauses nothing more from now on; flows already waiting keep waiting until let go. */
    public void clearFilter() {
        selection = null;
    }

    /** The filter in force, if intercepting. */
    public Optional<Filter> filter() {
        Selection s = selection;
        return s == null ? Optional.empty() : Optional.of(s.filter());
    }

    /** Whether responses are paused too. */
    public boolean interceptsResponses() {
        Selection s = selection;
        return s != null && s.responses();
    }

    /** How long a flow waits before it goes on by itself. */
    public Duration timeout() {
        return timeout;
    }

    /** At most this many flows wait at once ({@code capture.max_paused}). */
    public int maxPaused() {
        return maxPaused;
    }

    /** The bodies waiting flows hold stay within this ({@code capture.max_paused_bytes}). */
    public long maxPausedBytes() {
        return maxPausedBytes;
    }

    /** The bytes of the bodies the waiting flows hold now. */
    public long pausedBytes() {
        lock.lock();
        try {
            return pausedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** How many flows the filter selected that went on without pausing, a limit being reached, since start. */
    public long unpausedCount() {
        return unpaused.sum();
    }

    /**
     * Why the last flow that went on without pausing did ({@code "100 flows are paused already, the most
     * capture.max_paused allows"}); empty if none has. The same words are in that flow's note.
     */
    public Optional<String> lastUnpausedReason() {
        return Optional.ofNullable(lastUnpausedReason);
    }

    @Override
    public void onRequestHead(Flow flow) {
        Selection s = selection;
        if (s == null || stopped || flow.request().isMethod("CONNECT") || flow.answer().isPresent()) {
            return;
        }
        if (s.filter().matches(FlowExchange.asFlowed(flow)) && reserve(flow, heldRequests)) {
            flow.hold(Flow.Side.REQUEST);
        }
    }

    @Override
    public void onRequest(Flow flow) {
        if (heldRequests.remove(flow.id()) && selection != null) {
            pause(flow, Flow.Side.REQUEST);
        }
    }

    @Override
    public void onResponseHead(Flow flow) {
        Selection s = selection;
        Optional<Response> response = flow.response();
        if (s == null || !s.responses() || stopped || response.isEmpty() || response.get().status() == 101) {
            return;
        }
        if (s.filter().matches(FlowExchange.asFlowed(flow)) && reserve(flow, heldResponses)) {
            flow.hold(Flow.Side.RESPONSE);
        }
    }

    @Override
    public void onResponse(Flow flow) {
        if (heldResponses.remove(flow.id()) && selection != null) {
            pause(flow, Flow.Side.RESPONSE);
        }
    }

    @Override
    public void onDone(Flow flow) {
        heldRequests.remove(flow.id());
        heldResponses.remove(flow.id());
    }

    /**
     * Holds {@code flow} among {@code held} unless as many flows as the limit allows are paused or held already, or
     * the paused bodies fill their budget; then the flow goes on without pausing, and says why.
     */
    private boolean reserve(Flow flow, Set<Long> held) {
        String refusal;
        lock.lock();
        try {
            if (waiting.size() + heldRequests.size() + heldResponses.size() >= maxPaused) {
                refusal = maxPaused + (maxPaused == 1 ? " flow is" : " flows are") + " paused already, the most"
                        + " capture.max_paused allows";
            } else if (pausedBytes >= maxPausedBytes) {
                refusal = bodiesHeld() + ", all that capture.max_paused_bytes allows";
            } else {
                held.add(flow.id());
                return true;
            }
        } finally {
            lock.unlock();
        }
        goesOnUnpaused(flow, refusal);
        return false;
    }

    /** "paused flows hold 64.0 MiB of bodies"; under the lock. */
    private String bodiesHeld() {
        return "paused flows hold " + bytes(pausedBytes) + " of bodies";
    }

    private static String bytes(long n) {
        return n < 1024 ? n + (n == 1 ? " byte" : " bytes")
                : n < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    private void goesOnUnpaused(Flow flow, String reason) {
        unpaused.increment();
        lastUnpausedReason = reason;
        flow.addNote("intercept: not paused, as " + reason + "; it went on (resume or drop paused flows to make room)");
    }

    /** Parks the connection thread until the user decides, the timeout passes or wiretap stops. */
    private void pause(Flow flow, Flow.Side side) {
        Pause p;
        String refusal = null;
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            long bytes = bodySize(flow, side);
            if (pausedBytes + bytes > maxPausedBytes) {
                refusal = bodiesHeld() + ", and this one's " + bytes(bytes) + " would pass capture.max_paused_bytes ("
                        + bytes(maxPausedBytes) + ")";
                p = null;
            } else {
                p = new Pause(flow, side, Instant.now(), lock.newCondition());
                p.bytes = bytes;
                pausedBytes += bytes;
                waiting.put(flow.id(), p);
                LiveFlow.of(flow).setPaused(side);
            }
        } finally {
            lock.unlock();
        }
        if (p == null) {
            goesOnUnpaused(flow, refusal);
            return;
        }
        events.publish(new FlowEvent.Paused(flow));
        long start = System.nanoTime();
        FlowEvent.Release how;
        boolean edited;
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (p.release == null && left > 0) {
                left = p.decided.awaitNanos(left);
            }
            how = p.release != null ? p.release : FlowEvent.Release.TIMED_OUT;
            edited = p.edited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            how = FlowEvent.Release.DROPPED;
            edited = p.edited;
        } finally {
            waiting.remove(flow.id());
            pausedBytes -= p.bytes;
            LiveFlow.of(flow).setPaused(null);
            lock.unlock();
        }
        String message = side == Flow.Side.REQUEST ? "request" : "response";
        String waited = seconds(System.nanoTime() - start);
        switch (how) {
            case RESUMED -> flow.addNote("intercepted at the " + message + ": resumed after " + waited
                    + (edited ? ", edited" : ""));
            case TIMED_OUT -> flow.addNote("intercepted at the " + message + ": nobody decided within the intercept timeout ("
                    + seconds(timeout.toNanos()) + "), so it went on as it stood" + (edited ? ", with the edits made" : ", unchanged"));
            case DROPPED -> {
                String why = stopped ? "wiretap stopped while the " + message + " was paused by intercept"
                        : "dropped at the " + message + " by the user after " + waited;
                flow.addNote("intercepted at the " + message + ": " + why);
                flow.drop(why);
            }
        }
        events.publish(new FlowEvent.Released(flow, how));
    }

    /** The bytes of the body a flow holds at {@code side} (what the engine read into memory for the pause). */
    private static long bodySize(Flow flow, Flow.Side side) {
        if (side == Flow.Side.REQUEST) {
            return flow.request().body().size();
        }
        return flow.response().map(r -> r.body().size()).orElse(0L);
    }

    /** A body an edit replaced counts at its new size. Under the lock. */
    private void recount(Pause p) {
        long bytes = bodySize(p.flow, p.side);
        pausedBytes += bytes - p.bytes;
        p.bytes = bytes;
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** The flows waiting now, in the order they began to wait. */
    public List<PausedFlow> paused() {
        lock.lock();
        try {
            List<PausedFlow> list = new ArrayList<>(waiting.size());
            for (Pause p : waiting.values()) {
                list.add(describe(p));
            }
            return list;
        } finally {
            lock.unlock();
        }
    }

    /** The flow {@code id} if it is waiting now. */
    public Optional<PausedFlow> paused(long id) {
        lock.lock();
        try {
            Pause p = waiting.get(id);
            return p == null ? Optional.empty() : Optional.of(describe(p));
        } finally {
            lock.unlock();
        }
    }

    private PausedFlow describe(Pause p) {
        return new PausedFlow(p.flow, p.side, p.since, p.since.plus(timeout), p.flow.hasWholeBody(p.side), p.edited);
    }

    /** Lets flow {@code id} go on as it stands; false if it is not waiting. */
    public boolean resume(long id) {
        return release(id, FlowEvent.Release.RESUMED);
    }

    /** Lets every waiting flow go on; returns how many there were. */
    public int resumeAll() {
        lock.lock();
        try {
            int n = 0;
            for (Pause p : waiting.values()) {
                if (p.release == null) {
                    p.release = FlowEvent.Release.RESUMED;
                    p.decided.signal();
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops flow {@code id}: its client connection is cut without a response (as mitmproxy's kill) and the flow
     * fails as dropped. False if it is not waiting.
     */
    public boolean drop(long id) {
        return release(id, FlowEvent.Release.DROPPED);
    }

    private boolean release(long id, FlowEvent.Release how) {
        lock.lock();
        try {
            Pause p = waiting.get(id);
            if (p == null || p.release != null) {
                return false;
            }
            p.release = how;
            p.decided.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Edits the request of flow {@code id}, waiting at its request; it keeps waiting (resume it to send it). The
     * method, the URL (a path keeps the origin), the fields and, when the body is held whole, the body are replaced;
     * framing fields are fixed to the body when it is sent.
     *
     * @throws IllegalStateException    if the flow is not waiting at its request
     * @throws IllegalArgumentException if the edit changes a body that is not held whole (or its framing fields)
     */
    public void replaceRequest(long id, EditedRequest edit) {
        lock.lock();
        try {
            Pause p = waitingAt(id, Flow.Side.REQUEST);
            Request request = p.flow.request();
            checkBodyEdit(p, edit.body().isPresent(), request.headers(), edit.headers());
            request.setDestination(edit.destination(request.destination().orElseThrow()));
            request.setMethod(edit.method());
            request.headers().replaceWith(edit.headers());
            edit.body().ifPresent(b -> request.setBody(Body.of(b)));
            recount(p);
            p.edited = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Edits the response of flow {@code id}, waiting at its response; it keeps waiting (resume it to send it on).
     * Status, reason, fields and, when the body is held whole, the body are replaced; the response goes to the
     * client with a Content-Length fitting its body.
     *
     * @throws IllegalStateException    if the flow is not waiting at its response
     * @throws IllegalArgumentException if the status is interim (1xx), or the edit gives a body to a response that
     *                                  cannot have one, or changes a body that is not held whole
     */
    public void replaceResponse(long id, EditedResponse edit) {
        lock.lock();
        try {
            Pause p = waitingAt(id, Flow.Side.RESPONSE);
            Response response = p.flow.response().orElseThrow();
            if (edit.status() < 200) {
                throw new IllegalArgumentException("status " + edit.status() + " is interim (1xx); a final response needs 200 or more");
            }
            checkBodyEdit(p, edit.body().isPresent(), response.headers(), edit.headers());
            boolean head = p.flow.request().isMethod("HEAD");
            boolean bodiless = head || edit.status() == 204 || edit.status() == 304;
            if (!p.flow.hasWholeBody(Flow.Side.RESPONSE)) {
                boolean wasBodiless = head || response.status() == 204 || response.status() == 304;
                if (bodiless != wasBodiless) {
                    throw new IllegalArgumentException("the body of flow " + id + " is not held whole, so the status cannot"
                            + " change between one with a body and " + (bodiless ? "204 or 304" : "one with a body"));
                }
            }
            if (bodiless && edit.body().filter(b -> b.length > 0).isPresent()) {
                throw new IllegalArgumentException(head ? "a response to HEAD has no body"
                        : "a " + edit.status() + " response has no body");
            }
            response.setStatus(edit.status(), edit.reason());
            response.headers().replaceWith(edit.headers());
            edit.body().ifPresent(b -> response.setBody(Body.of(b)));
            recount(p);
            p.edited = true;
        } finally {
            lock.unlock();
        }
    }

    private Pause waitingAt(long id, Flow.Side side) {
        Pause p = waiting.get(id);
        if (p == null || p.release != null) {
            throw new IllegalStateException("flow " + id + " is not paused");
        }
        if (p.side != side) {
            throw new IllegalStateException("flow " + id + " is paused at its " + p.side.name().toLowerCase(Locale.ROOT)
                    + (side == Flow.Side.REQUEST ? ": its request has gone upstream already" : ": it has no response yet"));
        }
        return p;
    }

    /**
     * A body not held whole (larger than the capture cap) streams on as it comes: it cannot be replaced, and its
     * framing fields must stay as they are, or the receiver would read the rest of the stream wrongly.
     */
    private static void checkBodyEdit(Pause p, boolean replacesBody, Headers current, Headers edited) {
        if (p.flow.hasWholeBody(p.side)) {
            return;
        }
        String what = "the body of flow " + p.flow.id() + " is larger than the capture cap and is not held";
        if (replacesBody) {
            throw new IllegalArgumentException(what + ": only the head can be edited (leave the [[wiretap: ...]] line as it is)");
        }
        if (!current.all("Content-Length").equals(edited.all("Content-Length"))
                || !current.all("Transfer-Encoding").equals(edited.all("Transfer-Encoding"))) {
            throw new IllegalArgumentException(what + ": Content-Length and Transfer-Encoding cannot change");
        }
    }

    /**
     * Stops intercepting for good, as wiretap stops: flows waiting now are dropped and none waits from now on.
     * Idempotent.
     */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            for (Pause p : waiting.values()) {
                if (p.release == null) {
                    p.release = FlowEvent.Release.DROPPED;
                    p.decided.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
