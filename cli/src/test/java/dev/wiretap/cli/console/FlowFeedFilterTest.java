package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.event.FlowEvent;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The live list's view filter runs on the feed's own thread, over the flow as the store holds it with its body decoded,
 * never on the thread that finished the flow (a connection's): here the test's thread plays the connection and hands
 * the feed flows recorded through a real wiretap from an origin that gzips.
 */
class FlowFeedFilterTest {

    @Test
    void aBodyFilterDecidesOnTheFeedsThreadOverTheDecodedBody() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ProxyUnderTest proxy = ProxyUnderTest.start()) {
            Flow plain = record(proxy, origin.url("/plain"));
            Flow gzipped = record(proxy, origin.url("/coded/gzip"));
            List<String> lookedUpOn = new CopyOnWriteArrayList<>();
            BlockingQueue<FlowRow> printed = new LinkedBlockingQueue<>();
            FlowFeed feed = new FlowFeed();
            feed.setView(Filter.parse("resbody:needle"));
            feed.start(printed::addAll, id -> {
                lookedUpOn.add(Thread.currentThread().getName());
                return proxy.wiretap().history().get(id);
            });
            try {
                for (Flow flow : List.of(plain, gzipped)) {
                    feed.onEvent(new FlowEvent.Requested(flow));
                    feed.onEvent(new FlowEvent.Completed(flow));
                }

                FlowRow row = printed.poll(10, TimeUnit.SECONDS);
                assertNotNull(row, "the gzipped flow with the needle was not listed");
                assertEquals(gzipped.id(), row.id(), "the first row listed is not the one with the needle");
                List<FlowRow> more = new ArrayList<>();
                printed.drainTo(more);
                assertFalse(more.stream().anyMatch(r -> r.id() == plain.id()), "the flow without the needle was listed");
                assertEquals(List.of("wiretap-console-feed", "wiretap-console-feed"), lookedUpOn,
                        "the filter did not run on the feed's thread, once per flow");
            } finally {
                feed.stop();
            }
        }
    }

    /** GETs {@code url} through wiretap and returns its flow as the store holds it. */
    private static Flow record(ProxyUnderTest proxy, String url) throws Exception {
        proxy.httpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        long id = proxy.nextFinishedFlow().id();
        Optional<Flow> stored = proxy.wiretap().history().get(id);
        return stored.orElseThrow();
    }
}
