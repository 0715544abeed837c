package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.ChildClassPath;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiretap command in a real pseudo-terminal (tmux), as a user runs it: the console starts, requests from a real
 * client to a real origin appear, and its commands work on them: show, filter, intercept with edit (in $EDITOR, here
 * a script) and resume, replay, export har, quit.
 */
class ConsoleProcessTest {

    private static final Pattern PORT = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    /** Answers each request with its request line and X-Edited field, so the client sees what the origin got. */
    private static final TestOrigin.Handler ECHO = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            conn.readBody(head);
            String body = Heads.startLine(head) + " edited=" + Heads.value(head, "X-Edited");
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        }
    };

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTmux() {
        assertTrue(TmuxSession.available(), "tmux is needed for this test (.ci/run installs it)");
    }

    private TmuxSession startWiretap() throws Exception {
        return startWiretap("127.0.0.1:0");
    }

    private TmuxSession startWiretap(String listen) throws Exception {
        Path editor = dir.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nsed -i -e 's|^Host:|X-Edited: yes\\nHost:|' \"$1\"\n");
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwx------"));
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return TmuxSession.start(dir, List.of("WIRETAP_HOME=" + dir.resolve("home"), "TERM=xterm-256color", "EDITOR=" + editor),
                List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                        "-cp", ChildClassPath.of(ConsoleProcessTest.class), "dev.wiretap.cli.Main", "--listen", listen),
                150, 45);
    }

    private static int port(String screen) {
        Matcher m = PORT.matcher(screen);
        assertTrue(m.find(), screen);
        return Integer.parseInt(m.group(1));
    }

    private static HttpResponse<String> get(int proxyPort, String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort))).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void requestsAppearAndShowFilterAndQuitWork() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); TmuxSession tmux = startWiretap()) {
            int port = port(tmux.waitFor("wiretap>", Duration.ofSeconds(60)));

            assertEquals(200, get(port, origin.url("/first")).statusCode());
            assertEquals(200, get(port, origin.url("/second")).statusCode());
            String screen = tmux.waitFor("/second");
            assertTrue(screen.contains("/first"), screen);

            tmux.line("filter path:/first");
            tmux.waitFor("filter path:/first:");
            get(port, origin.url("/third"));
            get(port, origin.url("/first/again"));
            screen = tmux.waitFor("/first/again");
            assertTrue(!screen.contains("/third"), "a flow outside the filter was listed:\n" + screen);

            tmux.line("show 1");
            screen = tmux.waitFor("GET /first HTTP/1.1 edited=null");
            assertTrue(screen.contains("GET " + origin.url("/first") + " HTTP/1.1"), screen);

            tmux.line("quit");
            screen = tmux.waitFor("[exited 0]");
            assertTrue(screen.contains("wiretap stopped. 4 flows"), screen);
        }
    }

    /**
     * A client that sends its request the moment wiretap accepts connections, before the console is up: its flow must
     * be listed like any other (it was recorded, but the console's list missed it while the terminal was being opened).
     */
    @Test
    void aFlowThatFinishesAsSoonAsWiretapListensIsListed() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // a free ephemeral port, so that the test can knock before the banner names it
        }
        try (TestOrigin origin = TestOrigin.start(ECHO); TmuxSession tmux = startWiretap("127.0.0.1:" + port)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!accepts(port)) {
                assertTrue(System.nanoTime() < deadline, "wiretap did not listen on " + port + " within 60 s:\n" + tmux.screen());
                Thread.sleep(5);
            }
            assertEquals(200, get(port, origin.url("/early-bird")).statusCode());

            String screen = tmux.waitFor("wiretap>", Duration.ofSeconds(60));
            assertEquals(port, port(screen));
            get(port, origin.url("/second-bird"));
            screen = tmux.waitFor("/second-bird");
            assertTrue(screen.lines().anyMatch(l -> l.contains("/early-bird") && l.contains("200")),
                    "the first flow is not in the list:\n" + screen);
            tmux.line("quit");
            tmux.waitFor("[exited 0]");
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void interceptEditResumeReplayAndExportChangeAndRecordTraffic() throws Exception {
        try (TestOrigin origin = TestOrigin.start(ECHO); TmuxSession tmux = startWiretap()) {
            int port = port(tmux.waitFor("wiretap>", Duration.ofSeconds(60)));

            tmux.line("intercept path:/held");
            tmux.waitFor("intercepting requests matching");
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return get(port, origin.url("/held"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            tmux.waitFor("⏸");
            tmux.line("edit 1");
            tmux.waitFor("edited; resume 1");
            tmux.line("resume 1");
            assertEquals("GET /held HTTP/1.1 edited=yes", held.get(20, TimeUnit.SECONDS).body(),
                    "the origin did not get the edited request");

            tmux.line("intercept off");
            tmux.waitFor("intercept off");
            tmux.line("replay 1");
            tmux.waitFor("replay of flow 1 is flow 2: 200");

            Path har = dir.resolve("session.har");
            tmux.line("export har " + har);
            tmux.waitFor("wrote 2 flows");
            JsonNode entries = new ObjectMapper().readTree(har.toFile()).path("log").path("entries");
            assertEquals(2, entries.size());
            for (JsonNode entry : entries) {
                assertEquals(origin.url("/held"), entry.path("request").path("url").asText());
                assertEquals(200, entry.path("response").path("status").asInt());
                double sum = 0;
                for (String phase : List.of("blocked", "dns", "connect", "send", "wait", "receive")) {
                    sum += Math.max(0, entry.path("timings").path(phase).asDouble());
                }
                assertEquals(entry.path("time").asDouble(), sum, 0.01, "timings do not add up to the entry's time");
            }

            tmux.line("quit");
            tmux.waitFor("[exited 0]");
        }
    }
}
