package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.event.FlowStore;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.LiveFlow;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The live feed: with no browser following, an event is dropped at once (nothing kept, nothing done on the proxy's
 * thread but a check); with one, a burst of flows reaches it as one batch per tick, each flow once in its newest state,
 * filtered per client; between ticks it keeps ids, not the live flows (their bodies with them), and sends rows of the flows as the store has them; traffic beyond what a
 * list can show sends the newest rows of a tick and how many were left out,
 * busy traffic at most every {@link EventClient#BUSY_TICK_MILLIS}, and a flood at most every
 * {@link EventClient#FLOOD_TICK_MILLIS}.
 */
class LiveFeedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The flow store beside the feed, as in wiretap: the feed sends the flows as the store has them. */
    private final FlowStore store = new FlowStore(256L << 20);

    @Test
    void keepsNothingWhileNoBrowserFollows() {
        LiveFeed feed = new LiveFeed(store);
        for (int i = 1; i <= 100; i++) {
            feed.onEvent(new FlowEvent.Requested(flow(i, "/a")));
        }
        assertEquals(0, feed.waitingCount());
    }

    @Test
    void sendsABurstAsOneBatchPerTickEachFlowOnceInItsNewestStateAndOnlyWhatTheFilterSelects() throws Exception {
        LiveFeed feed = new LiveFeed(store);
        EventClient client = new EventClient(Filter.parse("path:/api/"), Optional.empty());
        client.hello(0, 0);
        feed.join(client);
        List<LiveFlow> flows = new ArrayList<>();
        for (int i = 1; i <= 160; i++) {
            LiveFlow flow = flow(i, i % 2 == 0 ? "/api/x" : "/other");
            flows.add(flow);
            publish(feed, new FlowEvent.Requested(flow));
        }
        for (LiveFlow flow : flows) {
            flow.complete(flow.startNanos() + 1000);
            publish(feed, new FlowEvent.Completed(flow));
        }
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        feed.start();
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            assertTrue(events.poll(10, TimeUnit.SECONDS).startsWith("event: hello\n"));
            String batch = events.poll(10, TimeUnit.SECONDS);
            assertTrue(batch.startsWith("event: flows\ndata: "), batch);
            JsonNode data = JSON.readTree(batch.substring(batch.indexOf("data: ") + 6));
            assertEquals(80, data.get("flows").size(), "each selected flow once, in one batch");
            data.get("flows").forEach(row -> assertEquals("done", row.get("state").asText()));
            assertEquals(160, data.get("held").asInt());
            assertEquals(0, data.get("skipped").asInt());
            assertEquals(null, events.poll(300, TimeUnit.MILLISECONDS), "nothing more: the next ticks had no news");
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    @Test
    void aTickOfMoreFlowsThanAListCanShowSendsTheNewestAndHowManyWereLeftOut() throws Exception {
        LiveFeed feed = new LiveFeed(store);
        EventClient client = new EventClient(Filter.ALL, Optional.empty());
        feed.join(client);
        for (int i = 1; i <= 1000; i++) {
            LiveFlow flow = flow(i, "/busy");
            flow.complete(flow.startNanos() + 1000);
            publish(feed, new FlowEvent.Completed(flow));
        }
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        feed.start();
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            String batch = events.poll(10, TimeUnit.SECONDS);
            JsonNode data = JSON.readTree(batch.substring(batch.indexOf("data: ") + 6));
            assertEquals(EventClient.MAX_ROWS_PER_EVENT, data.get("flows").size());
            assertEquals(1000 - EventClient.MAX_ROWS_PER_EVENT, data.get("skipped").asInt());
            assertEquals(1000 - EventClient.MAX_ROWS_PER_EVENT + 1, data.get("flows").get(0).get("id").asLong(), "the newest");
            assertEquals(1000, data.get("flows").get(EventClient.MAX_ROWS_PER_EVENT - 1).get("id").asLong());
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    @Test
    void betweenTicksKeepsTheRowsItMaySendNeverTheFlowsSoTheyAreLetGo() throws Exception {
        // A flow the feed holds is the live object, its body with it, which the store let go when it ended: a tick's
        // worth of 16 KiB flows at 10,000 a second outlived the young collections and cost wiretap a third more CPU.
        LiveFeed feed = new LiveFeed(store);
        EventClient client = new EventClient(Filter.ALL, Optional.empty());
        feed.join(client);
        int max = EventClient.MAX_ROWS_PER_EVENT;
        int count = 10 * max;
        List<WeakReference<Flow>> flows = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            flows.add(exchange(feed, id));
            if (id % (max / 2) == 0) {
                feed.drainNow(); // the feed's thread, every few milliseconds
            }
        }
        feed.drainNow();
        assertEquals(0, feed.waitingCount(), "everything handed over was taken");
        assertEquals(max, client.rowsWaiting(), "the newest rows wait for the tick");
        publish(feed, new FlowEvent.Completed(withBody(count + 1, 16 * 1024))); // one more, handed over: not taken yet

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long held;
        do {
            System.gc();
            held = flows.stream().filter(f -> f.get() != null).count();
        } while (held > 0 && System.nanoTime() < deadline);
        assertEquals(0, held, "flows taken but still held: ids are what waits");

        feed.tickNow();
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            JsonNode data = data(events.poll(10, TimeUnit.SECONDS));
            assertEquals(max, data.get("flows").size());
            assertEquals(count + 1 - max, data.get("skipped").asInt());
            assertEquals(count + 2 - max, data.get("flows").get(0).get("id").asLong(), "the newest");
            assertEquals(count + 1, data.get("flows").get(max - 1).get("id").asLong());
            assertEquals(16 * 1024, data.get("flows").get(max - 1).get("size").asLong());
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    @Test
    void rowsAreMadeWhenTheEventGoesFromTheFlowsAsTheStoreHasThemThen() throws Exception {
        // Under busy traffic a browser gets the newest hundred of thousands of changes: rows are made for those alone,
        // when the event goes, so a flow that ended after it was taken goes as ended, and one the store let go goes off the list.
        LiveFeed feed = new LiveFeed(store);
        EventClient client = new EventClient(Filter.ALL, Optional.of(Filter.parse("path:/b")));
        feed.join(client);
        LiveFlow running = flow(1, "/a");
        publish(feed, new FlowEvent.Requested(running));
        LiveFlow highlighted = flow(2, "/b");
        publish(feed, new FlowEvent.Requested(highlighted));
        LiveFlow forgotten = flow(3, "/c");
        publish(feed, new FlowEvent.Requested(forgotten));
        feed.drainNow();
        running.complete(running.startNanos() + 2_000_000); // ended, and its event not taken yet
        store.onEvent(new FlowEvent.Completed(running));
        forgotten.complete(forgotten.startNanos() + 1000);
        store.onEvent(new FlowEvent.Completed(forgotten));
        store.clear();
        store.onEvent(new FlowEvent.Requested(running)); // (the clear forgot it too: back, in flight in the store's eyes)
        store.onEvent(new FlowEvent.Completed(running));
        store.onEvent(new FlowEvent.Requested(highlighted));
        feed.tickNow();

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            String event = events.poll(10, TimeUnit.SECONDS);
            JsonNode rows = data(event).get("flows");
            assertEquals(2, rows.size(), rows.toString());
            assertEquals(1, rows.get(0).get("id").asLong());
            assertEquals("done", rows.get(0).get("state").asText(), "as the flow is when the event goes");
            assertEquals(2.0, rows.get(0).get("durationMs").asDouble());
            assertEquals(false, rows.get(0).get("highlighted").asBoolean());
            assertEquals(2, rows.get(1).get("id").asLong());
            assertEquals("in_flight", rows.get(1).get("state").asText());
            assertEquals(true, rows.get(1).get("highlighted").asBoolean());
            assertEquals("[3]", data(event).get("gone").toString(), "the one the store let go: off the list");
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    @Test
    void busyTrafficGoesAtMostEveryBusyTickWithTheNewestRowsAndAQuieterTickSendsWhatWaitedAtOnce() throws Exception {
        EventClient client = new EventClient(Filter.ALL, Optional.empty());
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            int max = EventClient.MAX_ROWS_PER_EVENT;
            long busy = max + 50; // more than a list shows, and more than an event's rows
            long t = 1_000_000;
            deliver(client, ended(1, busy), busy, t); // the first goes at once
            // Then ticks 100 ms apart, each busy: they wait until BUSY_TICK_MILLIS passed.
            long tick = LiveFeed.TICK_MILLIS;
            long waited = (EventClient.BUSY_TICK_MILLIS + tick - 1) / tick; // ticks until one goes
            long next = busy + 1;
            for (int i = 1; i <= waited; i++) {
                deliver(client, ended(next, next + busy - 1), next + busy - 1, t + i * tick);
                next += busy;
            }
            // Right after, a busy tick waits, and a quieter one goes at once with what waited.
            long sent = t + waited * tick;
            deliver(client, ended(next, next + busy - 1), next + busy - 1, sent + 1);
            next += busy;
            int quiet = EventClient.VIEW_ROWS;
            deliver(client, ended(next, next + quiet - 1), next + quiet - 1, sent + 2);
            long last = next + quiet - 1;

            JsonNode first = data(events.poll(10, TimeUnit.SECONDS));
            assertEquals(max, first.get("flows").size());
            assertEquals(busy - max, first.get("skipped").asInt());
            assertEquals(busy, first.get("flows").get(max - 1).get("id").asLong(), "the newest last");

            JsonNode second = data(events.poll(10, TimeUnit.SECONDS));
            assertEquals(max, second.get("flows").size(), "one event for the ticks that waited");
            assertEquals(waited * busy - max, second.get("skipped").asInt());
            assertEquals(busy * (waited + 1), second.get("flows").get(max - 1).get("id").asLong(), "the newest last");

            JsonNode third = data(events.poll(10, TimeUnit.SECONDS));
            assertEquals(max, third.get("flows").size());
            assertEquals(last, third.get("flows").get(max - 1).get("id").asLong(),
                    "the quieter tick's rows, at once, after the newest that waited");
            assertEquals(busy + quiet - max, third.get("skipped").asInt());
            assertEquals(null, events.poll(200, TimeUnit.MILLISECONDS), "nothing more");
        } finally {
            client.close();
            writer.join(5000);
        }
    }

    @Test
    void aFloodGoesAtMostEveryFloodTickAndBusyTrafficAfterItAtTheBusyPace() {
        EventClient client = new EventClient(Filter.ALL, Optional.empty());
        long tick = LiveFeed.TICK_MILLIS;
        int flood = EventClient.FLOOD_ROWS + 1;
        long first = 1_000_000;
        long next = 1;
        deliver(client, ended(next, next + flood - 1), next + flood - 1, first);
        next += flood;
        assertEquals(1, client.eventsWaiting(), "the first goes at once");
        long now = first + tick;
        for (; now - first < EventClient.FLOOD_TICK_MILLIS; now += tick) {
            deliver(client, ended(next, next + flood - 1), next + flood - 1, now);
            next += flood;
            assertEquals(1, client.eventsWaiting(),
                    "a flood " + (now - first) + " ms after the last event: the rows wait");
        }
        deliver(client, ended(next, next + flood - 1), next + flood - 1, now);
        next += flood;
        assertEquals(2, client.eventsWaiting(),
                "a flood " + EventClient.FLOOD_TICK_MILLIS + " ms after the last event goes");

        int busy = EventClient.FLOOD_ROWS; // busy, and no flood: the busy pace
        long sent = now;
        now += tick;
        deliver(client, ended(next, next + busy - 1), next + busy - 1, now);
        next += busy;
        assertEquals(2, client.eventsWaiting(), "busy, " + tick + " ms after the last event: the rows wait");
        now = sent + EventClient.BUSY_TICK_MILLIS;
        deliver(client, ended(next, next + busy - 1), next + busy - 1, now);
        assertEquals(3, client.eventsWaiting(),
                "busy, " + EventClient.BUSY_TICK_MILLIS + " ms after the last event: it goes");
    }

    @Test
    void rowsThatWaitedGoAtTheNextTickWhenTheTrafficStops() throws Exception {
        long[] now = {5_000};
        LiveFeed feed = new LiveFeed(store, null, () -> now[0]);
        EventClient client = new EventClient(Filter.ALL, Optional.empty());
        feed.join(client);
        int busy = EventClient.MAX_ROWS_PER_EVENT + 1;
        for (long id = 1; id <= 2 * busy; id++) {
            publish(feed, new FlowEvent.Completed(ended(id, id).get(0)));
            if (id == busy) {
                feed.tickNow();
                assertEquals(1, client.eventsWaiting(), "the first goes");
                now[0] += LiveFeed.TICK_MILLIS;
            }
        }
        feed.tickNow();
        assertEquals(1, client.eventsWaiting(), "busy again, and too soon after the first: the rows wait");
        now[0] += LiveFeed.TICK_MILLIS;
        feed.tickNow();
        assertEquals(2, client.eventsWaiting(), "nothing came: what waited goes");

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            assertEquals(busy, data(events.poll(10, TimeUnit.SECONDS)).get("flows").get(EventClient.MAX_ROWS_PER_EVENT - 1)
                    .get("id").asLong());
            JsonNode second = data(events.poll(10, TimeUnit.SECONDS));
            assertEquals(2 * busy, second.get("flows").get(EventClient.MAX_ROWS_PER_EVENT - 1).get("id").asLong());
            assertEquals(1, second.get("skipped").asInt());
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    @Test
    void manyThreadsHandOverAtOnceWithoutLosingAFlowAndAnOverflowTellsTheBrowserToReadAgain() throws Exception {
        // The hand-over is lock-free (a lock taken three times a flow by every connection's thread parked and woke
        // virtual threads): whatever many threads hand over while the feed takes is all taken, each flow once.
        LiveFeed feed = new LiveFeed(store);
        EventClient client = new EventClient(Filter.parse("path:/pick"), Optional.empty()); // few: none left out
        feed.join(client);
        int threads = 8;
        int each = 500;
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long base = (long) t * each;
            senders.add(Thread.ofVirtual().start(() -> {
                for (long id = base + 1; id <= base + each; id++) {
                    LiveFlow flow = flow(id, id % 50 == 0 ? "/pick" : "/many");
                    publish(feed, new FlowEvent.Requested(flow));
                    flow.complete(flow.startNanos() + 1000);
                    publish(feed, new FlowEvent.Completed(flow));
                }
            }));
        }
        java.util.Set<Long> seen = new java.util.TreeSet<>();
        java.util.Set<Long> picked = new java.util.TreeSet<>();
        for (long id = 50; id <= (long) threads * each; id += 50) {
            picked.add(id);
        }
        long skipped = 0;
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread writer = written(client, events);
        try {
            assertEquals("retry: 2000\n\n", events.poll(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((senders.stream().anyMatch(Thread::isAlive) || !seen.equals(picked)) && System.nanoTime() < deadline) {
                feed.tickNow(); // the feed's thread, while they hand over, and after
                for (String event; (event = events.poll()) != null; ) {
                    JsonNode data = data(event);
                    data.get("flows").forEach(row -> seen.add(row.get("id").asLong()));
                    skipped += data.get("skipped").asLong();
                }
            }
            assertEquals(0, feed.waitingCount(), "everything handed over was taken");
            assertEquals(picked, seen, "every flow the filter selects, sent");
            assertEquals(0, skipped);

            for (int id = 1; id <= 16_385; id++) { // more than the queue holds, and no taking
                feed.onEvent(new FlowEvent.Requested(flow(id, "/flood")));
            }
            assertEquals(16_384, feed.waitingCount());
            feed.drainNow();
            String event = events.poll(10, TimeUnit.SECONDS);
            assertTrue(event != null && event.startsWith("event: resync\n"), String.valueOf(event));
            assertEquals(0, feed.waitingCount());
        } finally {
            feed.close();
            writer.join(5000);
        }
    }

    /** What the client's connection would write, each event a string in {@code events}, on a thread of its own. */
    private static Thread written(EventClient client, BlockingQueue<String> events) {
        return Thread.ofVirtual().start(() -> {
            try {
                client.writeTo(bytes -> events.add(new String(bytes, StandardCharsets.UTF_8)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** An event as wiretap publishes it: the store hears of it, and the feed. */
    private void publish(LiveFeed feed, FlowEvent event) {
        store.onEvent(event);
        feed.onEvent(event);
    }

    /** A tick of the feed's for one client: the flows that changed in it stored and taken, then what waits sent. */
    private void deliver(EventClient client, List<Flow> flows, long held, long nowMillis) {
        flows.forEach(flow -> store.onEvent(new FlowEvent.Completed(flow)));
        client.take(flows);
        client.send(held, nowMillis, new TickRows(store));
    }

    private static JsonNode data(String event) throws java.io.IOException {
        assertTrue(event.startsWith("event: flows\ndata: "), event);
        return JSON.readTree(event.substring(event.indexOf("data: ") + 6));
    }

    /** Flows {@code from} to {@code to}, ended. */
    private static List<Flow> ended(long from, long to) {
        List<Flow> flows = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            LiveFlow flow = flow(id, "/busy");
            flow.complete(flow.startNanos() + 1000);
            flows.add(flow);
        }
        return flows;
    }

    /** A flow of 16 KiB from start to end, as the feed hears of it; the test keeps it only weakly. */
    private WeakReference<Flow> exchange(LiveFeed feed, long id) {
        LiveFlow flow = withBody(id, 16 * 1024);
        publish(feed, new FlowEvent.Requested(flow));
        publish(feed, new FlowEvent.Responded(flow));
        flow.complete(flow.startNanos() + 1000);
        publish(feed, new FlowEvent.Completed(flow));
        return new WeakReference<>(flow);
    }

    /** A flow with a response of {@code bytes} bytes, in flight. */
    private static LiveFlow withBody(long id, int bytes) {
        LiveFlow flow = flow(id, "/16k");
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK",
                Headers.of("Content-Type", "application/octet-stream", "Content-Length", Integer.toString(bytes)), new byte[0]);
        response.setBody(Body.of(new byte[bytes]));
        flow.setResponse(response);
        return flow;
    }

    private static LiveFlow flow(long id, String path) {
        Request request = new Request("GET", "http://a.example" + path, HttpVersion.HTTP_1_1, Headers.of("Host", "a.example"), new byte[0]);
        request.setDestination(new Destination("http", "a.example", 80, path));
        return new LiveFlow(id, new InetSocketAddress("127.0.0.1", 5000), Instant.now(), System.nanoTime(), request);
    }
}
