package dev.wiretap.proxy.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.FlowRecords;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The flow store: flows in flight kept live, finished ones kept as records in chunks of the budget's sixteenth
 * (at least 4 KiB), whole chunks dropped oldest first once the budget is exceeded.
 */
class FlowStoreTest {

    @Test
    void keepsFlowsInOrderOfArrivalWhicheverFinishesFirst() {
        FlowStore store = new FlowStore(1 << 20);
        requested(store, 1);
        Flow f2 = requested(store, 2);
        requested(store, 3);
        complete(store, f2);

        assertEquals(List.of(1L, 2L, 3L), ids(store.snapshot()));
        assertEquals(3, store.size());
        assertEquals(Optional.empty(), store.get(99));
    }

    @Test
    void returnsTheLiveFlowWhileInFlightAndADecodedCopyOnceFinished() {
        FlowStore store = new FlowStore(1 << 20);
        LiveFlow flow = requested(store, 7);
        assertSame(flow, store.get(7).orElseThrow());

        flow.setResponse(response("hello"));
        complete(store, flow);
        Flow stored = store.get(7).orElseThrow();
        assertEquals(Flow.State.COMPLETED, stored.state());
        assertEquals("hello", stored.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        assertEquals(flow.timings(), stored.timings());
    }

    @Test
    void dropsTheOldestFinishedFlowsOnceOverTheBudgetAndStaysWithinIt() {
        long budget = 64 * 1024; // chunks of 4 KiB
        FlowStore store = new FlowStore(budget);
        int recordBytes = FlowRecords.size(complete(new FlowStore(budget), requested(new FlowStore(budget), 0)));
        int flows = (int) (4 * budget / recordBytes);
        for (int id = 1; id <= flows; id++) {
            complete(store, requested(store, id));
            assertTrue(store.usedBytes() <= budget, "over budget after flow " + id + ": " + store.usedBytes());
        }
        List<Long> kept = ids(store.snapshot());
        assertEquals(flows, kept.size() + store.evictedCount());
        assertTrue(store.evictedCount() > 0);
        assertEquals(flows, kept.get(kept.size() - 1), "the newest stays");
        assertEquals(kept.get(0) + kept.size() - 1, kept.get(kept.size() - 1), "what stays is the newest run, in order");
        assertEquals(Optional.empty(), store.get(1));
    }

    @Test
    void keepsFlowsInFlightWhateverTheBudget() {
        FlowStore store = new FlowStore(0);
        Flow a = requested(store, 1);
        Flow b = requested(store, 2);
        assertEquals(List.of(1L, 2L), ids(store.snapshot()));
        assertSame(a, store.get(1).orElseThrow());
        assertSame(b, store.get(2).orElseThrow());

        complete(store, a);
        assertEquals(List.of(2L), ids(store.snapshot()), "a zero budget keeps nothing finished");
        assertEquals(1, store.evictedCount());
    }

    @Test
    void clearDropsFinishedFlowsAndKeepsThoseInFlight() {
        FlowStore store = new FlowStore(1 << 20);
        complete(store, requested(store, 1));
        failed(store, requested(store, 2));
        requested(store, 3);

        store.clear();
        assertEquals(List.of(3L), ids(store.snapshot()));
        complete(store, requested(store, 4));
        assertEquals(List.of(3L, 4L), ids(store.snapshot()), "the store carries on after a clear");
        assertEquals(0, store.evictedCount(), "clearing is not evicting");
    }

    @Test
    void keepsAFailedFlowWithItsError() {
        FlowStore store = new FlowStore(1 << 20);
        failed(store, requested(store, 5));
        Flow stored = store.get(5).orElseThrow();
        assertEquals(Flow.State.FAILED, stored.state());
        assertEquals(FlowError.Kind.CONNECT, stored.error().orElseThrow().kind());
    }

    @Test
    void storesAFlowWhoseStartItMissed() {
        FlowStore store = new FlowStore(1 << 20);
        LiveFlow flow = flow(9);
        flow.complete(flow.startNanos() + 1);
        store.onEvent(new FlowEvent.Completed(flow));
        assertEquals(List.of(9L), ids(store.snapshot()));
    }

    @Test
    void dropsAFlowLargerThanTheWholeBudget() {
        FlowStore store = new FlowStore(8 * 1024);
        LiveFlow flow = requested(store, 1);
        flow.setResponse(response("x".repeat(20_000)));
        complete(store, flow);
        assertEquals(List.of(), store.snapshot());
        assertEquals(1, store.evictedCount());
        assertTrue(store.usedBytes() <= 8 * 1024);
    }

    @Test
    void recentTestsOutsideTheLockSoThatConnectionsStoreTheirFlowsMeanwhile() throws Exception {
        FlowStore store = new FlowStore(1 << 20);
        for (long id = 1; id <= 5; id++) {
            complete(store, requested(store, id));
        }
        List<Thread> storers = new java.util.ArrayList<>();

        // A slow test (a filter decoding bodies) during which a connection finishes flow 6 and stores it.
        List<Flow> recent = store.recent(3, flow -> {
            if (storers.isEmpty()) {
                Thread storer = Thread.ofPlatform().start(() -> complete(store, requested(store, 6)));
                storers.add(storer);
                try {
                    storer.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                assertTrue(!storer.isAlive(), "storing a flow waited for the test to finish");
            }
            return flow.id() % 2 == 1;
        });

        assertEquals(List.of(1L, 3L, 5L), ids(recent), "flows stored meanwhile are not read, the older ones are");
        assertEquals(6, store.get(6).orElseThrow().id());
    }

    @Test
        void readsBackInDisjointPagesThatTogetherHoldEveryFlowInFlightFirst() {
        FlowStore store = new FlowStore(1 << 20);
        List<Flow> flows = new java.util.ArrayList<>();
        for (int id = 1; id <= 1000; id++) {
            flows.add(requested(store, id));
        }
        complete(store, flows.get(4)); // finishes first of all: the oldest record
        for (int i = 999; i >= 0; i--) { // the rest finish newest first: records out of id order
            if (i != 4 && i != 500) {
                complete(store, flows.get(i));
            }
        }
        List<Long> seen = new java.util.ArrayList<>();
        long position = FlowStore.NEWEST;
        int pages = 0;
        while (true) {
            FlowStore.Page page = store.readBack(position, 300, false, f -> f.id() % 2 == 1);
            page.flows().forEach(f -> seen.add(f.id()));
            pages++;
            if (page.next().isEmpty()) {
                break;
            }
            position = page.next().getAsLong();
        }
        assertEquals(501L, seen.get(0), "the flow in flight comes first");
        assertEquals(500, seen.size(), "the odd ones");
        assertEquals(500, new java.util.HashSet<>(seen).size(), "no flow twice");
        assertEquals(5L, seen.get(seen.size() - 1), "the first to finish comes last");
        assertEquals(2, pages);
    }

    @Test
    void leavesTheBodiesBytesOutOfAListButKeepsTheirSizes() {
        FlowStore store = new FlowStore(1 << 20);
        LiveFlow flow = requested(store, 1);
        flow.setResponse(response("a body of some size"));
        complete(store, flow);
        Flow listed = store.readBack(FlowStore.NEWEST, 10, false, f -> true).flows().get(0);
        assertEquals(19, listed.response().orElseThrow().body().size());
        assertEquals(0, listed.response().orElseThrow().body().capturedLength());
        Flow whole = store.readBack(FlowStore.NEWEST, 10, true, f -> true).flows().get(0);
        assertEquals("a body of some size", whole.response().orElseThrow().body().text(StandardCharsets.UTF_8));
    }

    @Test
    void readsNothingBackAfterAClearAndWhatFinishesAfterIt() {
        FlowStore store = new FlowStore(1 << 20);
        complete(store, requested(store, 1));
        store.clear();
        assertEquals(List.of(), store.readBack(FlowStore.NEWEST, 10, false, f -> true).flows());
        complete(store, requested(store, 2));
        FlowStore.Page page = store.readBack(FlowStore.NEWEST, 10, false, f -> true);
        assertEquals(List.of(2L), ids(page.flows()));
        assertTrue(page.next().isEmpty());
    }

    @Test
    void goesThroughEveryFlowInOrderOfArrivalDecodingEachOnlyWhenReached() {
        FlowStore store = new FlowStore(1 << 20);
        Flow f1 = requested(store, 1);
        Flow f2 = requested(store, 2);
        requested(store, 3);
        Flow f4 = requested(store, 4);
        complete(store, f4);
        complete(store, f2);
        complete(store, f1);

        Iterable<Flow> inOrder = store.inOrder();
        complete(store, requested(store, 5)); // after the call: not in this pass

        assertEquals(List.of(1L, 2L, 3L, 4L), ids(inOrder));
        assertEquals(ids(store.snapshot()).subList(0, 4), ids(inOrder));
    }

    @Test
    void skipsTheFlowsClearedBeforeTheyAreReached() {
        FlowStore store = new FlowStore(1 << 20);
        complete(store, requested(store, 1));
        complete(store, requested(store, 2));
        Flow live = requested(store, 3);

        java.util.Iterator<Flow> it = store.inOrder().iterator();
        assertEquals(1L, it.next().id());
        store.clear();

        assertTrue(it.hasNext());
        assertSame(live, it.next());
        assertTrue(!it.hasNext());
    }

    private static List<Long> ids(Iterable<Flow> flows) {
        List<Long> ids = new java.util.ArrayList<>();
        flows.forEach(f -> ids.add(f.id()));
        return ids;
    }

    private static List<Long> ids(List<Flow> flows) {
        return flows.stream().map(Flow::id).toList();
    }

    private static LiveFlow requested(FlowStore store, long id) {
        LiveFlow flow = flow(id);
        store.onEvent(new FlowEvent.Requested(flow));
        return flow;
    }

    private static Flow complete(FlowStore store, Flow flow) {
        LiveFlow.of(flow).complete(flow.startNanos() + 1_000_000);
        store.onEvent(new FlowEvent.Completed(flow));
        return flow;
    }

    private static Flow failed(FlowStore store, Flow flow) {
        LiveFlow.of(flow).fail(new FlowError(FlowError.Kind.CONNECT, "connection refused by example.com:80"), flow.startNanos() + 1_000_000);
        store.onEvent(new FlowEvent.Failed(flow));
        return flow;
    }

    private static Response response(String body) {
        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", Headers.of("Content-Length", Integer.toString(body.length())), new byte[0]);
        response.setBody(Body.of(body.getBytes(StandardCharsets.UTF_8)));
        return response;
    }

    /** A flow for {@code GET http://example.com/}. */
    static LiveFlow flow(long id) {
        byte[] head = "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        Request request = new Request("GET", "http://example.com/", HttpVersion.HTTP_1_1, Headers.of("Host", "example.com"), head);
        return new LiveFlow(id, new InetSocketAddress("127.0.0.1", 40_000), Instant.now(), System.nanoTime(), request);
    }
}
