package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.TestOrigin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config file with wiretap as users run it (a child JVM): read from the config directory at start and named in
 * the banner, its rules applied to real traffic and named in the log, an edit applied live, a broken edit reported
 * while the last good rules stay, and a broken file at start ending wiretap with exit code 2 before it listens.
 */
class ConfigProcessTest {

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
    void appliesAnEditOfTheConfigFileLiveAndKeepsTheLastGoodRulesAfterABrokenOne() throws Exception {
        // Made as wiretap makes its config directory, its owner's alone: an open one is warned about on standard error.
        Path home = Files.createDirectories(dir.resolve("home"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path config = home.resolve("config.yaml");
        Files.writeString(config, rule("tag-one", "one"));
        try (TestOrigin origin = TestOrigin.fixed("hello")) {
            ChildWiretap.Started started = ChildWiretap.startListening(home);
            wiretap = started.wiretap();
            assertEquals("config from " + config + ": 1 rule; edits apply without a restart", wiretap.nextLine());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", started.port()))).build();

            assertTrue(get(client, origin).contains("\r\nX-Rule: one\r\n"));
            String line = wiretap.nextLine();
            assertTrue(line.endsWith(" [rules: tag-one]"), line);

            // As editors save: a new file renamed over the old one.
            Path temp = Files.writeString(home.resolve("config.yaml.tmp"), rule("tag-two", "two"));
            Files.move(temp, config, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertEquals("config reloaded from " + config + ": 1 rule", wiretap.nextLine());

            String head = get(client, origin);
            assertTrue(head.contains("\r\nX-Rule: two\r\n") && !head.contains("X-Rule: one"), head);
            line = wiretap.nextLine();
            assertTrue(line.endsWith(" [rules: tag-two]"), line);

            // Broken, written in place.
            Files.writeString(config, rule("tag-three", "three").replace("host:127.0.0.1", "hots:127.0.0.1"));
            // On the same stream as "config reloaded", in order with the log's lines: one stream for notices.
            assertEquals("wiretap: config not reloaded: config.yaml:3:12: rules[1].match: invalid filter 'hots:127.0.0.1':"
                    + " column 1: unknown field 'hots' (did you mean 'host'?); fields are host, path, url, method, status,"
                    + " header, reqheader, resheader, type, body, reqbody, resbody, proto (the last good settings stay in force)",
                    wiretap.nextLine());

            assertTrue(get(client, origin).contains("\r\nX-Rule: two\r\n"));
            line = wiretap.nextLine();
            assertTrue(line.endsWith(" [rules: tag-two]"), line);

            assertTrue(wiretap.process().toHandle().destroy());
            assertTrue(wiretap.process().waitFor(30, TimeUnit.SECONDS), "wiretap did not stop within 30 s");
            assertEquals(0, wiretap.process().exitValue());
            wiretap.awaitEndOfOutput();
            assertEquals("", wiretap.stderr(), "nothing on standard error");
        }
    }

    @Test
    void aBrokenConfigFileAtStartExits2BeforeListeningOrMakingACa() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        Files.writeString(home.resolve("config.yaml"), """
                listen: 127.0.0.1:%d
                rules:
                  - match: host:api.example.com
                    delay: 2 minutes
                """.formatted(port));

        wiretap = ChildWiretap.start(home);

        assertTrue(wiretap.process().waitFor(60, TimeUnit.SECONDS), "wiretap did not give up within 60 s");
        assertEquals(2, wiretap.process().exitValue());
        wiretap.awaitEndOfOutput();
        assertEquals("wiretap: config.yaml:4: rules[1].delay: '2 minutes' is not a duration (for example 500ms, 30s,"
                + " 2m, 1h)\n", wiretap.stderr());
        assertEquals(List.of(), wiretap.remainingLines());
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(port, again.getLocalPort());
        }
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(List.of(home.resolve("config.yaml")), files.toList(), "no CA made");
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String rule(String name, String value) {
        return """
                rules:
                  - name: %s
                    match: host:127.0.0.1
                    set_headers: {X-Rule: %s}
                """.formatted(name, value);
    }

    /** GETs from the origin through wiretap; returns the request head the origin received. */
    private static String get(HttpClient client, TestOrigin origin) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(origin.url("/x")))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertFalse(response.body().isEmpty());
        return origin.takeHead();
    }
}
