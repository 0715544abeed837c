package dev.wiretap.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.export.HarReader;
import dev.wiretap.proxy.export.ImportLimits;
import dev.wiretap.proxy.flow.Flow;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The extension's life as JUnit gives it: sample test classes (nested here, run through JUnit's test kit, never by
 * the build on their own) use it per class, per test, by parameter, failing and in parallel, and what they saw is
 * checked here.
 */
class ExtensionLifecycleTest {

    /** What the samples saw, by sample and test. */
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    static volatile Path harDir;

    @TempDir
    Path dir;

    @Test
    void aStaticFieldServesTheClassAndEachTestStartsClean() {
        run(PerClass.class).testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertEquals(SEEN.get("PerClass.first.port"), SEEN.get("PerClass.second.port"));
        assertEquals(List.of(), SEEN.get("PerClass.second.flows"), "the first test's flows were seen by the second");
        assertEquals(404, SEEN.get("PerClass.second.status"), "the first test's rule outlived it");
        assertEquals(200, SEEN.get("PerClass.second.classRule"), "the class's rule did not last");
    }

    @Test
    void anInstanceFieldGivesEachTestItsOwnProxyStoppedAfterIt() {
        run(PerTest.class).testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertNotEquals(SEEN.get("PerTest.first.port"), SEEN.get("PerTest.second.port"));
        for (String test : List.of("first", "second")) {
            int port = (int) SEEN.get("PerTest." + test + ".port");
            assertFalse(listening(port), "the proxy of " + test + " still listens on " + port);
        }
    }

    @Test
    void injectsTheProxyAsAParameter() {
        run(Injected.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
        assertEquals(SEEN.get("Injected.constructor.port"), SEEN.get("Injected.method.port"));
    }

    @Test
    void writesAHarOfAFailedTestsFlowsOnly() throws IOException {
        harDir = dir;
        run(Failing.class).testEvents().assertStatistics(s -> s.succeeded(1).failed(1));
        Path har = dir.resolve("Failing.fails.har");
        assertTrue(Files.exists(har), "no HAR of the failed test in " + dir);
        assertFalse(Files.exists(dir.resolve("Failing.passes.har")), "a HAR of the test that passed");
        List<Flow> flows = new ArrayList<>();
        HarReader.read(har, ImportLimits.DEFAULTS, flows::add);
        assertEquals(List.of("http://failing.example.test/checkout"), flows.stream().map(f -> f.request().url()).toList());
    }

    @Test
    void parallelClassesEachGetTheirOwnProxy() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
                .selectors(selectClass(ParallelOne.class), selectClass(ParallelTwo.class)).execute();
        results.testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertNotEquals(SEEN.get("ParallelOne.port"), SEEN.get("ParallelTwo.port"));
    }

    @Test
    void namesAnInvocationsHarByItsNumber() {
        harDir = dir;
        run(Repeated.class).testEvents().assertStatistics(s -> s.succeeded(0).failed(2));
        assertTrue(Files.exists(dir.resolve("Repeated.twice-1.har")));
        assertTrue(Files.exists(dir.resolve("Repeated.twice-2.har")));
    }

    private static EngineExecutionResults run(Class<?> sample) {
        return EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample)).execute();
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int get(ProxyClient proxy, String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().proxy(proxy.selector()).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    /** The proxy's selector, whichever way a sample holds it. */
    interface ProxyClient {
        java.net.ProxySelector selector();
    }

    // ---- samples, run only through the test kit ----

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClass {
        @RegisterExtension
        static WiretapExtension wiretap = new WiretapExtension(Wiretap.builder()
                .rules("- {match: path:/class, respond: {status: 200}}")
                .rules("- {match: host:lifecycle.example.test, respond: {status: 404}}"));

        @Test
        @Order(1)
        void first() throws Exception {
            SEEN.put("PerClass.first.port", wiretap.proxyAddress().getPort());
            wiretap.when("path:/test-rule").respond(200);
            assertEquals(200, get(wiretap::proxySelector, "http://lifecycle.example.test/test-rule"));
            wiretap.awaitFlow("path:/test-rule", Duration.ofSeconds(5));
        }

        @Test
        @Order(2)
        void second() throws Exception {
            SEEN.put("PerClass.second.port", wiretap.proxyAddress().getPort());
            SEEN.put("PerClass.second.flows", wiretap.flows().stream().map(f -> f.request().url()).toList());
            SEEN.put("PerClass.second.status", get(wiretap::proxySelector, "http://lifecycle.example.test/test-rule"));
            SEEN.put("PerClass.second.classRule", get(wiretap::proxySelector, "http://lifecycle.example.test/class"));
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerTest {
        @RegisterExtension
        WiretapExtension wiretap = new WiretapExtension();

        @Test
        @Order(1)
        void first() {
            SEEN.put("PerTest.first.port", wiretap.proxyAddress().getPort());
        }

        @Test
        @Order(2)
        void second() {
            SEEN.put("PerTest.second.port", wiretap.proxyAddress().getPort());
        }
    }

    @ExtendWith(WiretapExtension.class)
    static class Injected {
        Injected(Wiretap wiretap) {
            SEEN.put("Injected.constructor.port", wiretap.address().getPort());
        }

        @Test
        void method(Wiretap wiretap) throws Exception {
            SEEN.put("Injected.method.port", wiretap.address().getPort());
            wiretap.when("host:injected.example.test").respond(204);
            assertEquals(204, get(wiretap::proxySelector, "http://injected.example.test/"));
        }
    }

    static class Failing {
        @RegisterExtension
        static WiretapExtension wiretap = new WiretapExtension().harDirectory(harDir);

        @Test
        void fails() throws Exception {
            wiretap.when("host:failing.example.test").respond(500);
            assertEquals(200, get(wiretap::proxySelector, "http://failing.example.test/checkout"));
        }

        @Test
        void passes() throws Exception {
            wiretap.when("host:failing.example.test").respond(200);
            assertEquals(200, get(wiretap::proxySelector, "http://failing.example.test/fine"));
        }
    }

    static class Repeated {
        @RegisterExtension
        static WiretapExtension wiretap = new WiretapExtension().harDirectory(harDir);

        @org.junit.jupiter.api.RepeatedTest(2)
        void twice() {
            throw new AssertionError("fails, so that each invocation leaves a HAR");
        }
    }

    static class ParallelOne {
        @RegisterExtension
        static WiretapExtension wiretap = new WiretapExtension();

        @Test
        void mocks() throws Exception {
            SEEN.put("ParallelOne.port", wiretap.proxyAddress().getPort());
            wiretap.when("host:parallel.example.test").respond(201);
            assertEquals(201, get(wiretap::proxySelector, "http://parallel.example.test/"));
            assertEquals(1, wiretap.awaitFlow("", Duration.ofSeconds(5)).id() > 0 ? wiretap.flows().size() : -1);
        }
    }

    static class ParallelTwo {
        @RegisterExtension
        static WiretapExtension wiretap = new WiretapExtension();

        @Test
        void mocks() throws Exception {
            SEEN.put("ParallelTwo.port", wiretap.proxyAddress().getPort());
            wiretap.when("host:parallel.example.test").respond(202);
            assertEquals(202, get(wiretap::proxySelector, "http://parallel.example.test/"));
            assertEquals(1, wiretap.awaitFlow("", Duration.ofSeconds(5)).id() > 0 ? wiretap.flows().size() : -1);
        }
    }
}
