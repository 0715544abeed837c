package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wiretap --replay-from FILE}: a HAR recorded through wiretap against a live origin, served by the command with
 * the origin stopped; a request not recorded answered 502 when {@code replay.on_miss} says so; a file that is no
 * recording refused in words before anything listens.
 */
class ReplayProcessTest {

    @TempDir
    Path dir;

    private ChildWiretap wiretap;

    @AfterEach
    void killWhatIsLeft() {
        if (wiretap != null) {
            wiretap.close();
        }
    }

    @Test
    void servesARecordedHarWithTheOriginGone() throws Exception {
        Path har = dir.resolve("api.har");
        String url;
        try (TestOrigin origin = TestOrigin.fixed("{\"recorded\": true}"); Wiretap recorder = Wiretap.builder().start();
             HttpClient client = HttpClient.newBuilder().proxy(recorder.proxySelector()).build()) {
            url = origin.url("/api/user");
            assertEquals(200, send(client, url).statusCode());
            recorder.awaitFlow("path:/api/user", Duration.ofSeconds(5));
            recorder.har(har);
        }

        ChildWiretap.Started started = ChildWiretap.startListening(dir.resolve("home"), "--no-web", "--replay-from",
                har.toString(), "--set", "replay.on_miss=502");
        wiretap = started.wiretap();
        assertEquals("replaying 1 recorded exchange from " + har + "; others get a 502", wiretap.nextLine());
        try (HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", started.port()))).build()) {
            HttpResponse<String> replayed = send(client, url);
            assertEquals(200, replayed.statusCode());
            assertEquals("{\"recorded\": true}", replayed.body());
            HttpResponse<String> miss = send(client, url + "?other");
            assertEquals(502, miss.statusCode());
            assertTrue(miss.body().contains("GET " + url + "?other was not recorded in " + har), miss.body());
        }
    }

    @Test
    void refusesAFileThatIsNoRecordingBeforeListening() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not flows");
        wiretap = ChildWiretap.start(dir.resolve("home"), "--listen", "127.0.0.1:0", "--no-web", "--replay-from", notes.toString());
        assertTrue(wiretap.process().waitFor(60, TimeUnit.SECONDS), "wiretap did not give up within 60 s");
        assertEquals(1, wiretap.process().exitValue());
        wiretap.awaitEndOfOutput();
        assertEquals("wiretap: " + notes + " is neither a wiretap session file nor a HAR file\n", wiretap.stderr());

        Path missing = dir.resolve("missing.har");
        wiretap = ChildWiretap.start(dir.resolve("home"), "--listen", "127.0.0.1:0", "--no-web", "--replay-from", missing.toString());
        assertTrue(wiretap.process().waitFor(60, TimeUnit.SECONDS), "wiretap did not give up within 60 s");
        assertEquals(2, wiretap.process().exitValue());
        wiretap.awaitEndOfOutput();
        assertTrue(wiretap.stderr().contains("replay.from: no such file: " + missing), wiretap.stderr());
    }

    private static HttpResponse<String> send(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
