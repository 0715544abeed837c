package dev.wiretap.web;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.service.ResponseStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One browser (or script) following the live list over server-sent events ({@code GET /api/events}), with its own
 * filter and highlight. The {@link LiveFeed}'s thread hands it the flows that changed, a batch at a time, as they come
 * ({@link #take}), and at each tick has it turn what it kept into at most one {@code flows} event ({@link #send}),
 * of at most {@value #MAX_ROWS_PER_EVENT} rows: the newest changes, with how many were left out ({@code skipped}) when
 * traffic outruns what a list can show (the browser reads the list again when the user stops following); the
 * connection's thread writes the events out ({@link #writeTo}). It keeps the ids of the flows to send, never the flows
 * (a live flow holds its bodies, which the flow store let go when it ended: docs/benchmarks.md, "The web UI's cost"),
 * and no more than an event sends, an older one left out as soon as newer ones push it past that; their rows are made
 * when the event goes, from the flows as the store has them then ({@link TickRows}). A client that falls behind is not
 * waited for: its outbox is emptied and it is told to {@code resync} (fetch the list again).
 *
 * <p>Busy traffic (a tick that brings more rows than a list shows at once, {@value #VIEW_ROWS}: over 500 flows a second)
 * is sent at most every {@value #BUSY_TICK_MILLIS} ms: the rows wait, the newest kept, until then. A browser draws its
 * list once per event, and a drawing costs it about the same whether one row changed or all of them: at ten a second,
 * its CPU would come out of the proxy's on a small machine (docs/benchmarks.md, "The web UI's cost"). No row is late
 * for it: the rows in view when the event goes are the newest, from its last tick, and the ones before were never
 * going to be in view while the list follows. A flood (a tick of more than {@value #FLOOD_ROWS} rows: over 5,000 flows
 * a second, a load test rather than traffic anyone reads as it flies by) goes at most every {@value #FLOOD_TICK_MILLIS}
 * ms: then the proxy needs the machine, and the browser's drawings took 3 to 4% of a small one's from it. A view whose
 * filter lets fewer rows through is paced by what it lets through. A quieter tick (or one without news, when the
 * traffic stopped) sends at once what waited.
 *
 * <p>Thread-safe by hand-over: {@link #take}, {@link #send}, {@link #shown} and the waiting ids belong to the feed's
 * thread, the outbox is the only thing both threads touch.
 */
final class EventClient {

    /**
     * Rows an event sends at most: two screens of the list, and enough for a burst (a page's requests) to come whole.
     * Past it, a browser following thousands of flows a second would spend much of a core of the same machine parsing
     * and merging rows no one can read while they fly by.
     */
    static final int MAX_ROWS_PER_EVENT = 100;
    /** Rows a list shows at once, generously (a list 1,100 px tall): a tick that brings more is busy traffic. */
    static final int VIEW_ROWS = 50;
    /** How often {@code flows} events go at most while ticks bring more than {@link #VIEW_ROWS} rows. */
    static final long BUSY_TICK_MILLIS = 500;
    /** Rows a tick brings in a flood: ten lists' worth, over 5,000 flows a second. */
    static final int FLOOD_ROWS = 10 * VIEW_ROWS;
    /** How often {@code flows} events go at most while ticks bring more than {@link #FLOOD_ROWS} rows. */
    static final long FLOOD_TICK_MILLIS = 1000;
    /** Events waiting to be written; a client this far behind is told to start over instead. */
    private static final int OUTBOX = 64;
    /** A comment line this often keeps proxies and the browser from timing out an idle stream, and finds a gone client. */
    static final long KEEPALIVE_MILLIS = 15_000;
    private static final byte[] CLOSE = new byte[0];

    private final Filter filter;
    private final Optional<Filter> highlight;
    private final BlockingQueue<byte[]> outbox = new ArrayBlockingQueue<>(OUTBOX);
    /** Flows sent while unfinished, so that one that stops matching when it ends is taken off the list ("gone"). */
    private final Set<Long> shown = new HashSet<>();
    /** Flows not sent yet, by id, in the order of their last change (the newest last); MAX_ROWS_PER_EVENT at most. */
    private final LinkedHashSet<Long> waiting = new LinkedHashSet<>();
    /** Ids that went off the list and are not sent yet. */
    private final Set<Long> goneWaiting = new LinkedHashSet<>();
    /** Rows left out since the last {@code flows} event. */
    private long skipped;
    /** Rows that came to wait since the last tick: more than {@link #VIEW_ROWS} is busy traffic. */
    private int cameSinceTick;
    /** When the last {@code flows} event went, on the feed's clock; none yet: long ago. */
    private long sentMillis = Long.MIN_VALUE / 2;
    private volatile boolean closed;

    EventClient(Filter filter, Optional<Filter> highlight) {
        this.filter = filter;
        this.highlight = highlight;
    }

    /** The first event, queued before the client joins the feed so that every tick's news comes after it. */
    void hello(long held, long evicted) {
        offer(event("hello", JsonBody.bytes(g -> {
            g.writeStartObject();
            g.writeNumberField("held", held);
            g.writeNumberField("evicted", evicted);
            g.writeNumberField("tickMillis", LiveFeed.TICK_MILLIS);
            g.writeEndObject();
        })));
    }

    /**
     * Flows that changed (each listed once, the newest state, in the order of their last change): the ones the filter
     * selects wait to be sent, the newest {@value #MAX_ROWS_PER_EVENT} at most, by id (their rows are made when the
     * event goes, {@link #send}); one that was sent unfinished and is selected no more is to go off the list. Neither
     * the flows nor rows of them are kept.
     */
    void take(Collection<Flow> flows) {
        for (Flow flow : flows) {
            long id = flow.id();
            if (FlowSummary.isListed(flow) && FlowMatch.matches(filter, flow)) {
                goneWaiting.remove(id);
                if (flow.isDone()) {
                    shown.remove(id);
                } else {
                    shown.add(id);
                }
                if (!waiting.remove(id)) { // to the end: changed last
                    cameSinceTick++;
                }
                waiting.add(id);
            } else if (shown.remove(id)) {
                waiting.remove(id);
                goneWaiting.add(id);
            }
        }
        for (var oldest = waiting.iterator(); waiting.size() > MAX_ROWS_PER_EVENT; ) { // newer ones push them out
            oldest.next();
            oldest.remove();
            skipped++;
        }
    }

    /** Flows waiting to be sent (for tests: never more than {@value #MAX_ROWS_PER_EVENT}). */
    int rowsWaiting() {
        return waiting.size();
    }

    /**
     * A tick: sends what waits as one {@code flows} event, unless the traffic is busy and the last went less than
     * {@value #BUSY_TICK_MILLIS} ms ago (in a flood, {@value #FLOOD_TICK_MILLIS} ms). {@code held} is how many flows the
     * store holds now, {@code nowMillis} the time on the feed's clock; the rows are made from the flows as {@code rows}
     * finds them now. One the store no longer holds goes as gone (off the list, if an earlier event put it there); one
     * the filter selects no more is left out (it changed since it was taken: its change comes in a later taking, which
     * takes it off the list if it was shown).
     */
    void send(long held, long nowMillis, TickRows rows) {
        int came = cameSinceTick;
        cameSinceTick = 0;
        if (waiting.isEmpty() && goneWaiting.isEmpty()) {
            return;
        }
        if (came > VIEW_ROWS && nowMillis - sentMillis < (came > FLOOD_ROWS ? FLOOD_TICK_MILLIS : BUSY_TICK_MILLIS)) {
            return; // busy traffic, or a flood: the rows wait for the next event
        }
        sentMillis = nowMillis;
        long left = skipped;
        List<Flow> sending = new ArrayList<>(waiting.size());
        for (long id : waiting) {
            Optional<Flow> flow = rows.flow(id);
            if (flow.isEmpty()) {
                goneWaiting.add(id); // the store let it go: off the list, if an earlier event put it there
            } else if (FlowMatch.matches(filter, flow.get())) {
                sending.add(flow.get());
            }
        }
        offer(event("flows", JsonBody.bytes(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("flows");
            for (Flow flow : sending) {
                rows.row(flow).writeTo(g, highlight.map(h -> FlowMatch.matches(h, flow)).orElse(null));
            }
            g.writeEndArray();
            g.writeNumberField("skipped", left);
            g.writeArrayFieldStart("gone");
            for (long id : goneWaiting) {
                g.writeNumber(id);
            }
            g.writeEndArray();
            g.writeNumberField("held", held);
            g.writeEndObject();
        })));
        waiting.clear();
        goneWaiting.clear();
        skipped = 0;
    }

    /** A flow that grew in a tick: its messages so far (-1 for no WebSocket), its body bytes so far, whether it ended. */
    record Growth(long id, long messages, long bodySize, boolean done) {
    }

    /** The growing flows that grew in a tick, as one {@code messages} event. */
    void grew(List<Growth> news) {
        offer(event("messages", JsonBody.bytes(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("flows");
            for (Growth n : news) {
                g.writeStartObject();
                g.writeNumberField("id", n.id());
                if (n.messages() >= 0) {
                    g.writeNumberField("messages", n.messages());
                } else {
                    g.writeNullField("messages");
                }
                g.writeNumberField("bodySize", n.bodySize());
                g.writeBooleanField("done", n.done());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        })));
    }

    /** The intercept's state changed: its settings, or the flows waiting ({@link InterceptState}). */
    void intercept(byte[] state) {
        offer(event("intercept", state));
    }

    /** Every flow was forgotten ({@code DELETE /api/flows}): the list starts empty. */
    void cleared() {
        forget();
        offer(event("cleared", "{}".getBytes(StandardCharsets.UTF_8)));
    }

    /** News was lost (this client or the feed fell behind): the browser fetches the list again. */
    void resync() {
        forget();
        outbox.clear();
        offer(event("resync", "{}".getBytes(StandardCharsets.UTF_8)));
    }

    /** Forgets what was shown and what waits: the browser starts over. */
    private void forget() {
        shown.clear();
        waiting.clear();
        goneWaiting.clear();
        skipped = 0;
        cameSinceTick = 0;
    }

    /** Ends the stream (the UI is stopping); from any thread. */
    void close() {
        closed = true;
        outbox.clear();
        outbox.offer(CLOSE);
    }

    /** Events not written yet (for tests). */
    int eventsWaiting() {
        return outbox.size();
    }

    boolean isClosed() {
        return closed;
    }

    /** Writes events as they come until the client goes away or the feed closes it; the connection's thread. */
    void writeTo(ResponseStream stream) throws IOException {
        stream.send("retry: 2000\n\n".getBytes(StandardCharsets.US_ASCII)); // how soon the browser comes back
        try {
            while (!closed) {
                byte[] event = outbox.poll(KEEPALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (event == CLOSE) {
                    return;
                }
                stream.send(event != null ? event : ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
        }
    }

    private void offer(byte[] event) {
        if (!outbox.offer(event)) {
            resync();
        }
    }


    private static byte[] event(String name, byte[] json) {
        byte[] head = ("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
        byte[] event = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, event, 0, head.length);
        System.arraycopy(json, 0, event, head.length, json.length);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        return event;
    }

}
