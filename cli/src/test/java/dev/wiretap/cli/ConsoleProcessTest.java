package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wiretap command in a real pseudo-terminal (tmux), as a user runs it: the console starts, requests from a real
 * client to a real origin appear, and its commands work on them.
 */
class ConsoleProcessTest {

    private static final Pattern PORT = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTmux() {
        assertTrue(TmuxSession.available(), "tmux is needed for this test (.ci/run installs it)");
    }

    private TmuxSession startWiretap() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return TmuxSession.start(dir, List.of("WIRETAP_HOME=" + dir.resolve("home"), "TERM=xterm-256color"),
                List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                        "-cp", System.getProperty("java.class.path"), "dev.wiretap.cli.Main", "--listen", "127.0.0.1:0"),
                150, 45);
    }

    private static int port(String screen) {
        Matcher m = PORT.matcher(screen);
        assertTrue(m.find(), screen);
        return Integer.parseInt(m.group(1));
    }

    private static HttpResponse<String> get(int proxyPort, String url) throws Exception {
        try (HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort))).build()) {
            return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void requestsAppearAndShowFilterAndQuitWork() throws Exception {
        try (TestOrigin origin = TestOrigin.fixed("hello from the origin"); TmuxSession tmux = startWiretap()) {
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
            screen = tmux.waitFor("hello from the origin");
            assertTrue(screen.contains("GET " + origin.url("/first") + " HTTP/1.1"), screen);

            tmux.line("quit");
            screen = tmux.waitFor("[exited 0]");
            assertTrue(screen.contains("wiretap stopped. 4 flows"), screen);
        }
    }
}
