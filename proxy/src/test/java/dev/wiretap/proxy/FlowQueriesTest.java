package dev.wiretap.proxy;

import static dev.wiretap.proxy.LibraryClients.client;
import static dev.wiretap.proxy.LibraryClients.get;
import static dev.wiretap.proxy.LibraryClients.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.export.HarReader;
import dev.wiretap.proxy.export.ImportLimits;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flows as a test asks for them: filtered, awaited, forgotten, written as a HAR; the builder's temporary CA. */
class FlowQueriesTest {

    @TempDir
    Path dir;

    @Test
    void findsAwaitsAndForgetsFlows() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); Wiretap wiretap = Wiretap.builder().start();
             HttpClient client = client(wiretap)) {
            post(client, origin.url("/orders"), "{\"item\": \"tea\"}");
            Flow order = wiretap.awaitFlow("method:POST reqbody:tea", Duration.ofSeconds(5));
            assertEquals(origin.url("/orders"), order.request().url());
            get(client, origin.url("/other"));
            wiretap.awaitFlow("path:/other", Duration.ofSeconds(5));
            assertEquals(1, wiretap.flows("path:/orders").size());
            assertEquals(2, wiretap.flows("").size());

            wiretap.clearFlows();

            assertTrue(wiretap.flows("").isEmpty());
            get(client, origin.url("/after"));
            assertEquals("/after", wiretap.awaitFlow("", Duration.ofSeconds(5)).request().destination().orElseThrow()
                    .pathAndQuery());
        }
    }

    @Test
    void aWaitThatTimesOutListsTheFlowsThatDidFinish() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("ok"); Wiretap wiretap = Wiretap.builder().start();
             HttpClient client = client(wiretap)) {
            get(client, origin.url("/seen"));
            wiretap.awaitFlow("path:/seen", Duration.ofSeconds(5));
            FlowTimeoutException e = assertThrows(FlowTimeoutException.class,
                    () -> wiretap.awaitFlow("path:/never", Duration.ofMillis(100)));
            assertTrue(e.getMessage().startsWith("no flow matching 'path:/never' finished within 100 ms; 1 flow finished:"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("GET " + origin.url("/seen") + " 200"), e.getMessage());
        }
    }

    @Test
    void writesTheFlowsAsAHarThatReadsBack() throws Exception {
        Path har = dir.resolve("deep/dir/flows.har");
        try (TestOrigin origin = TestOrigin.fixed("ok"); Wiretap wiretap = Wiretap.builder().start();
             HttpClient client = client(wiretap)) {
            get(client, origin.url("/a"));
            get(client, origin.url("/b"));
            wiretap.awaitFlow("path:/b", Duration.ofSeconds(5));
            wiretap.awaitFlow("path:/a", Duration.ofSeconds(5));
            assertEquals(1, wiretap.har(har, "path:/b"));
        }
        List<Flow> read = new ArrayList<>();
        HarReader.read(har, ImportLimits.DEFAULTS, read::add);
        assertEquals(List.of("/b"), read.stream().map(f -> f.request().destination().orElseThrow().pathAndQuery()).toList());
    }

    @Test
    void theBuildersCaLivesInATemporaryDirectoryGoneAtTheStop() throws Exception {
        Wiretap wiretap = Wiretap.builder().start();
        Path caDir = wiretap.settings().tls().configDir();
        assertTrue(Files.exists(caDir.resolve("wiretap-ca.pem")));
        assertTrue(wiretap.caCertificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(wiretap.address().getAddress().isLoopbackAddress());
        assertTrue(wiretap.chromeArguments().contains("--proxy-server=http://127.0.0.1:" + wiretap.address().getPort()));
        wiretap.close();
        assertFalse(Files.exists(caDir));
    }
}
