package dev.wiretap.proxy.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.CaptureSettings;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A flow that went through a real proxy comes back from the store exactly as it was when it finished. */
class StoredFlowTest {

    @Test
    void aStoredFlowDecodesToTheFlowThatFinished() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("stored body"); ProxyUnderTest proxy = ProxyUnderTest.start();
             RawClient client = proxy.rawClient()) {
            client.send("POST " + origin.url("/p?q=1") + " HTTP/1.1\r\nHost: " + origin.authority()
                    + "\r\nX-Case: MiXeD\r\nContent-Length: 4\r\n\r\nping");
            assertEquals(200, client.readResponse().status());
            Flow live = proxy.nextFinishedFlow();
            Flow stored = proxy.wiretap().history().get(live.id()).orElseThrow();

            assertEquals(live.id(), stored.id());
            assertEquals(live.client(), stored.client());
            assertEquals(live.state(), stored.state());
            assertEquals(live.timings(), stored.timings());
            assertEquals(live.request().url(), stored.request().url());
            assertArrayEquals(live.request().wireHead(), stored.request().wireHead());
            assertEquals("MiXeD", stored.request().headers().first("x-case").orElseThrow());
            assertEquals("ping", stored.request().body().text(StandardCharsets.UTF_8));
            assertEquals(200, stored.response().orElseThrow().status());
            assertEquals("stored body", stored.response().orElseThrow().body().text(StandardCharsets.UTF_8));
            assertEquals(live.bytesToClient(), stored.bytesToClient());
            assertEquals(live.serverAddress(), stored.serverAddress());
        }
    }

    @Test
    void changedHeadersAreStoredAsChangedWhileTheWireHeadStaysAsItArrived() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("x"); ProxyUnderTest proxy = ProxyUnderTest.start(s -> s, java.util.List.of(
                new dev.wiretap.proxy.addon.Addon() {
                    @Override
                    public void onRequestHead(Flow flow) {
                        flow.request().headers().add("X-Added", "by addon");
                    }
                })); RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            client.readResponse();
            Flow live = proxy.nextFinishedFlow();
            Flow stored = proxy.wiretap().history().get(live.id()).orElseThrow();
            assertEquals("by addon", stored.request().headers().first("X-Added").orElseThrow());
            assertTrue(!new String(stored.request().wireHead(), StandardCharsets.ISO_8859_1).contains("X-Added"));
        }
    }

    @Test
    void theStoreStaysWithinItsBudgetByDroppingTheOldestFlows() throws Exception {
        long budget = 64 * 1024;
        try (TestOrigin origin = TestOrigin.fixed("y".repeat(1000));
             ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(new CaptureSettings(1 << 20, budget)));
             RawClient client = proxy.rawClient()) {
            for (int i = 0; i < 300; i++) {
                client.send("GET " + origin.url("/" + i) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
                client.readResponse();
                proxy.nextFinishedFlow();
            }
            FlowHistory store = proxy.wiretap().history();
            assertTrue(store.usedBytes() <= budget, "used " + store.usedBytes());
            assertTrue(store.evictedCount() > 0);
            var flows = store.snapshot();
            assertEquals("http://" + origin.authority() + "/299", flows.get(flows.size() - 1).request().url());
            assertEquals(300, flows.size() + store.evictedCount());
        }
    }
}
