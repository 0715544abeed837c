package dev.wiretap.proxy;

import static dev.wiretap.proxy.LibraryClients.client;
import static dev.wiretap.proxy.LibraryClients.echoCounting;
import static dev.wiretap.proxy.LibraryClients.get;
import static dev.wiretap.proxy.LibraryClients.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.ReplaySettings;
import dev.wiretap.proxy.addon.RecordedExchanges;
import dev.wiretap.proxy.export.SessionFile;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Server replay: exchanges recorded through wiretap against a live origin, saved as a HAR or a session file, then
 * served by another wiretap with the origin stopped: same status, reason, fields (duplicates kept) and body.
 */
class ServerReplayTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} recorded in a {1}")
    @CsvSource({"http, har", "https, har", "http, session", "https, session"})
    void servesWhatWasRecordedOnceTheOriginIsGone(String scheme, String format) throws Exception {
        TestCa ca = TestCa.ec("origin CA");
        Path caPem = ca.writeCertificate(dir.resolve("origin-ca.pem"));
        Path file = dir.resolve("recorded." + format);
        String first;
        String second;
        try (TestOrigin origin = scheme.equals("https")
                ? TestOrigin.startTls(ca.issue("127.0.0.1").serverContext(), echoCounting(new AtomicInteger()))
                : TestOrigin.start(echoCounting(new AtomicInteger()));
             Wiretap recorder = Wiretap.builder().trustOrigins(caPem).start();
             HttpClient client = client(recorder)) {
            first = origin.url("/first").replace("http:", scheme + ":");
            second = origin.url("/second").replace("http:", scheme + ":");
            assertEquals("first 1 ", get(client, first).body());
            assertEquals("second 2 x", post(client, second, "x").body());
            recorder.awaitFlow("path:/second", Duration.ofSeconds(5));
            if (format.equals("har")) {
                assertEquals(2, recorder.har(file, "!method:CONNECT"));
            } else {
                SessionFile.write(file, recorder.flows(""));
            }
        }

        try (Wiretap replayer = Wiretap.builder().replayFrom(file).start(); HttpClient client = client(replayer)) {
            HttpResponse<String> response = get(client, first);
            assertEquals(201, response.statusCode());
            assertEquals("first 1 ", response.body());
            assertEquals(List.of("a=1", "b=2"), response.headers().allValues("Set-Cookie"));
            assertEquals("second 2 x", post(client, second, "x").body());
            Flow replayed = replayer.awaitFlow("path:/first", Duration.ofSeconds(5));
            assertEquals("Made Up", replayed.response().orElseThrow().reason());
            assertTrue(replayed.notes().stream().anyMatch(n -> n.startsWith("replayed from " + file)), replayed.notes().toString());
        }
    }

    @Test
    void servesARecordingToAnHttp2Client() throws Exception {
        TestCa ca = TestCa.ec("origin CA");
        Path caPem = ca.writeCertificate(dir.resolve("origin-ca.pem"));
        Path file = dir.resolve("recorded.har");
        String url;
        try (TestOrigin origin = TestOrigin.startTls(ca.issue("127.0.0.1").serverContext(), echoCounting(new AtomicInteger()));
             Wiretap recorder = Wiretap.builder().trustOrigins(caPem).start(); HttpClient client = client(recorder)) {
            url = origin.url("/h2").replace("http:", "https:");
            assertEquals("h2 1 ", get(client, url).body());
            recorder.awaitFlow("path:/h2", Duration.ofSeconds(5));
            recorder.har(file, "!method:CONNECT");
        }
        try (Wiretap replayer = Wiretap.builder().replayFrom(file).start();
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).proxy(replayer.proxySelector())
                     .sslContext(replayer.clientSslContext()).connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = get(client, url);
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals(201, response.statusCode());
            assertEquals("h2 1 ", response.body());
            assertEquals(List.of("a=1", "b=2"), response.headers().allValues("set-cookie"));
            Flow replayed = replayer.awaitFlow("path:/h2", Duration.ofSeconds(5));
            assertTrue(replayed.notes().stream().anyMatch(n -> n.startsWith("replayed from " + file)), replayed.notes().toString());
        }
    }

    @Test
    void servesRepeatedRequestsInRecordedOrderThenTheLastAgain() throws Exception {
        Path file = dir.resolve("recorded.har");
        String url;
        try (TestOrigin origin = TestOrigin.start(echoCounting(new AtomicInteger()));
             Wiretap recorder = Wiretap.builder().start(); HttpClient client = client(recorder)) {
            url = origin.url("/count");
            get(client, url);
            get(client, url);
            recorder.awaitFlow("path:/count", Duration.ofSeconds(5));
            awaitFlows(recorder, 2);
            recorder.har(file);
        }
        try (Wiretap replayer = Wiretap.builder().replayFrom(file).start(); HttpClient client = client(replayer)) {
            assertEquals("count 1 ", get(client, url).body());
            assertEquals("count 2 ", get(client, url).body());
            assertEquals("count 2 ", get(client, url).body());
        }
    }

    @Test
    void aRequestNotRecordedGoesToItsOriginOrIsAnswered502NamingIt() throws Exception {
        Path file = recordOne();
        try (TestOrigin live = TestOrigin.fixed("live");
             Wiretap replayer = Wiretap.builder().replayFrom(file).start(); HttpClient client = client(replayer)) {
            assertEquals("live", get(client, live.url("/not-recorded")).body());
            Flow forwarded = replayer.awaitFlow("path:/not-recorded", Duration.ofSeconds(5));
            assertTrue(forwarded.notes().contains("not in the replay of " + file + ": sent to the origin"), forwarded.notes().toString());

            replayer.replayFrom(ReplaySettings.from(file).withOnMiss(ReplaySettings.OnMiss.FAIL));
            HttpResponse<String> miss = get(client, live.url("/not-recorded"));
            assertEquals(502, miss.statusCode());
            assertTrue(miss.body().contains("GET " + live.url("/not-recorded") + " was not recorded in " + file), miss.body());
        }
    }

    @Test
    void matchesBodiesWhenAsked() throws Exception {
        Path file = dir.resolve("recorded.har");
        String url;
        try (TestOrigin origin = TestOrigin.start(echoCounting(new AtomicInteger()));
             Wiretap recorder = Wiretap.builder().start(); HttpClient client = client(recorder)) {
            url = origin.url("/search");
            post(client, url, "apples");
            post(client, url, "pears");
            awaitFlows(recorder, 2);
            recorder.har(file);
        }
        ReplaySettings byBody = ReplaySettings.from(file).withMatchBody(true).withOnMiss(ReplaySettings.OnMiss.FAIL);
        try (Wiretap replayer = Wiretap.builder().replay(byBody).start(); HttpClient client = client(replayer)) {
            assertEquals("search 2 pears", post(client, url, "pears").body());
            assertEquals("search 1 apples", post(client, url, "apples").body());
            HttpResponse<String> miss = post(client, url, "plums");
            assertEquals(502, miss.statusCode());
            assertTrue(miss.body().contains("POST " + url + " with this body was not recorded"), miss.body());
        }
    }

    @Test
    void takesTheRecordedTimeWhenAsked() throws Exception {
        Path file = dir.resolve("recorded.har");
        String url;
        TestOrigin.Handler slow = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                Thread.sleep(300);
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow");
            }
        };
        try (TestOrigin origin = TestOrigin.start(slow); Wiretap recorder = Wiretap.builder().start();
             HttpClient client = client(recorder)) {
            url = origin.url("/slow");
            get(client, url);
            recorder.awaitFlow("path:/slow", Duration.ofSeconds(5));
            recorder.har(file);
        }
        try (Wiretap replayer = Wiretap.builder().replay(ReplaySettings.from(file).withTiming(true)).start();
             HttpClient client = client(replayer)) {
            assertEquals("slow", get(client, url).body());
            Flow replayed = replayer.awaitFlow("path:/slow", Duration.ofSeconds(5));
            // A lower bound only: the replay waited at least as long as the origin was recorded to.
            assertTrue(replayed.durationNanos() >= Duration.ofMillis(300).toNanos(), replayed.timings().toString());
        }
    }

    @Test
    void refusesAFileThatHoldsNoFlowsInWords() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Wiretap.builder().replayFrom(notes).start());
        assertEquals(notes + " is neither a wiretap session file nor a HAR file", e.getMessage());
        Path missing = dir.resolve("missing.har");
        e = assertThrows(java.io.IOException.class, () -> Wiretap.builder().replayFrom(missing).start());
        assertEquals("cannot read " + missing + ": no such file", e.getMessage());
    }

    @Test
    void leavesOutWhatCannotBeServedAndSaysWhy() throws Exception {
        Path file = dir.resolve("recorded.session");
        try (TestOrigin origin = TestOrigin.fixed("x".repeat(2000));
             Wiretap recorder = Wiretap.builder().settings(dev.wiretap.config.Settings.defaults()
                     .withListen(dev.wiretap.config.HostPort.parse("127.0.0.1:0"))
                     .withTls(dev.wiretap.config.Settings.defaults().tls().withIntercept(false))
                     .withCapture(dev.wiretap.config.CaptureSettings.DEFAULTS.withMaxBodyBytes(1000))).start();
             HttpClient client = HttpClient.newBuilder().proxy(recorder.proxySelector()).build()) {
            get(client, origin.url("/big"));
            recorder.awaitFlow("path:/big", Duration.ofSeconds(5));
            SessionFile.write(file, recorder.flows(""));
        }
        try (Wiretap replayer = Wiretap.builder().start()) {
            RecordedExchanges recorded = replayer.replayFrom(file);
            assertEquals(0, recorded.size());
            assertTrue(recorded.warnings().get(0).contains("its response body was truncated at capture cap: 1000 of 2000"),
                    recorded.warnings().toString());
        }
    }

    private Path recordOne() throws Exception {
        Path file = dir.resolve("one.har");
        try (TestOrigin origin = TestOrigin.start(echoCounting(new AtomicInteger()));
             Wiretap recorder = Wiretap.builder().start(); HttpClient client = client(recorder)) {
            get(client, origin.url("/one"));
            recorder.awaitFlow("path:/one", Duration.ofSeconds(5));
            recorder.har(file);
        }
        return file;
    }

    private static void awaitFlows(Wiretap wiretap, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (wiretap.flows("").size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, wiretap.flows("").size());
    }
}
