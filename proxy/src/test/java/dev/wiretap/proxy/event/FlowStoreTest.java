package dev.wiretap.proxy.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlowStoreTest {

    /** The estimated size of every flow {@link #flow} makes before it has a response. */
    private static final long SIZE = flow(0).estimatedBytes();

    @Test
    void keepsFlowsInOrderOfArrival() {
        FlowStore store = new FlowStore(1 << 20);
        Flow f1 = requested(store, 1);
        Flow f2 = requested(store, 2);
        Flow f3 = requested(store, 3);
        complete(store, f2);

        assertEquals(List.of(f1, f2, f3), store.snapshot());
        assertEquals(3, store.size());
        assertEquals(Optional.of(f2), store.get(2));
        assertEquals(Optional.empty(), store.get(99));
        assertEquals(3 * SIZE, store.usedBytes());
    }

    @Test
    void evictsTheOldestFinishedFlowsOnceOverTheBudget() {
        FlowStore store = new FlowStore(3 * SIZE);
        Flow f1 = complete(store, requested(store, 1));
        Flow f2 = complete(store, requested(store, 2));
        Flow f3 = complete(store, requested(store, 3));
        assertEquals(List.of(f1, f2, f3), store.snapshot(), "exactly at the budget nothing goes");
        assertEquals(0, store.evictedCount());

        Flow f4 = requested(store, 4);
        assertEquals(List.of(f2, f3, f4), store.snapshot());
        assertEquals(1, store.evictedCount());
        Flow f5 = failed(store, requested(store, 5));
        assertEquals(List.of(f3, f4, f5), store.snapshot());
        assertEquals(2, store.evictedCount());
        assertEquals(3 * SIZE, store.usedBytes());
        assertEquals(Optional.empty(), store.get(1));
    }

    @Test
    void keepsFlowsInFlightWhateverTheBudget() {
        FlowStore store = new FlowStore(2 * SIZE);
        Flow f1 = requested(store, 1);
        Flow f2 = complete(store, requested(store, 2));
        Flow f3 = requested(store, 3);

        assertEquals(List.of(f1, f3), store.snapshot(), "the finished one made room; the older one in flight stays");
        assertEquals(1, store.evictedCount());

        Flow f4 = requested(store, 4);
        Flow f5 = requested(store, 5);
        assertEquals(List.of(f1, f3, f4, f5), store.snapshot(), "over the budget, but nothing is finished");
        assertEquals(4 * SIZE, store.usedBytes());
        assertTrue(store.usedBytes() > store.budgetBytes());

        complete(store, f3);
        assertEquals(List.of(f1, f4, f5), store.snapshot(), "once finished it is the oldest finished one");
        assertEquals(2, store.evictedCount());
        assertEquals(Optional.empty(), store.get(f2.id()));
    }

    @Test
    void countsWhatAFlowGainedByTheTimeItFinishes() {
        FlowStore store = new FlowStore(4 * SIZE);
        Flow f1 = complete(store, requested(store, 1));
        Flow f2 = complete(store, requested(store, 2));
        Flow f3 = requested(store, 3);
        assertEquals(3 * SIZE, store.usedBytes());

        Response response = new Response(HttpVersion.HTTP_1_1, 200, "OK", new Headers(), new byte[0]);
        response.setBody(Body.of(new byte[(int) (2 * SIZE)]));
        f3.setResponse(response);
        store.onEvent(new FlowEvent.Responded(f3));
        assertEquals(3 * SIZE, store.usedBytes(), "sizes are taken when a flow arrives and when it ends");
        complete(store, f3);

        assertTrue(f3.estimatedBytes() > 3 * SIZE);
        assertEquals(List.of(f3), store.snapshot(), "the big response pushed both older flows out");
        assertEquals(2, store.evictedCount());
        assertEquals(f3.estimatedBytes(), store.usedBytes());
        assertEquals(Optional.empty(), store.get(f1.id()));
        assertEquals(Optional.empty(), store.get(f2.id()));
    }

    @Test
    void clearDropsFinishedFlowsAndKeepsThoseInFlight() {
        FlowStore store = new FlowStore(1 << 20);
        Flow f1 = requested(store, 1);
        complete(store, requested(store, 2));
        failed(store, requested(store, 3));
        Flow f4 = requested(store, 4);

        store.clear();

        assertEquals(List.of(f1, f4), store.snapshot());
        assertEquals(2 * SIZE, store.usedBytes());
        assertEquals(0, store.evictedCount(), "clearing is not evicting");
        complete(store, f1);
        assertEquals(List.of(f1, f4), store.snapshot(), "a kept flow still finishes in place");
    }

    @Test
    void ignoresTheEndOfAFlowItNeverSaw() {
        FlowStore store = new FlowStore(1 << 20);
        Flow f1 = requested(store, 1);

        complete(store, flow(7));

        assertEquals(List.of(f1), store.snapshot());
        assertEquals(SIZE, store.usedBytes());
    }

    @Test
    void withAZeroBudgetKeepsOnlyFlowsInFlight() {
        FlowStore store = new FlowStore(0);
        Flow f1 = requested(store, 1);
        assertEquals(List.of(f1), store.snapshot());

        complete(store, f1);

        assertEquals(List.of(), store.snapshot());
        assertEquals(0, store.usedBytes());
        assertEquals(1, store.evictedCount());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Flow requested(FlowStore store, long id) {
        Flow flow = flow(id);
        store.onEvent(new FlowEvent.Requested(flow));
        return flow;
    }

    private static Flow complete(FlowStore store, Flow flow) {
        flow.complete(flow.startNanos() + 1_000_000);
        store.onEvent(new FlowEvent.Completed(flow));
        return flow;
    }

    private static Flow failed(FlowStore store, Flow flow) {
        flow.fail(new FlowError(FlowError.Kind.CONNECT, "connection refused by example.com:80"), flow.startNanos() + 1_000_000);
        store.onEvent(new FlowEvent.Failed(flow));
        return flow;
    }

    /** A flow for {@code GET http://example.com/}; every one has the same estimated size. */
    static Flow flow(long id) {
        byte[] head = "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        Request request = new Request("GET", "http://example.com/", HttpVersion.HTTP_1_1, Headers.of("Host", "example.com"), head);
        return new Flow(id, new InetSocketAddress("127.0.0.1", 40_000), Instant.now(), System.nanoTime(), request);
    }
}
