package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.TestConfigDir;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample config in the reference (docs/reference.md), read from that page itself so the two can never drift apart:
 * it loads, it holds one rule of each kind, and each rule does what the page says to real requests from a real client. The sample's
 * hosts are made up, so wiretap runs with a test origin as its upstream proxy (added with {@code --set}, as a user
 * could): every request that goes out reaches that origin whatever its host, and the test sees it as sent.
 */
class ReferenceSampleTest {

    private static final String MARKER = "<!-- The YAML block below is loaded and run by ReferenceSampleTest";

    @TempDir
    Path dir;

    private TestOrigin origin;
    private ProxyUnderTest proxy;
    private HttpClient client;

    @BeforeEach
    void startWiretapWithTheSample() throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), sample());
        Files.createDirectories(dir.resolve("mocks"));
        Files.writeString(dir.resolve("mocks/user.json"), "{\"name\": \"Ada\"}");
        Files.createDirectories(dir.resolve("static"));
        Files.writeString(dir.resolve("static/app.js"), "console.log('hi');");
        origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                byte[] body = ("origin saw " + head.lines().findFirst().orElse("")).getBytes(StandardCharsets.UTF_8);
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\n"
                        + "Set-Cookie: session=1\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
                conn.out().flush();
            }
        });
        ConfigLoader.Loaded loaded = ConfigLoader.load(Optional.of(config), List.of(
                new ConfigLoader.Override("listen", "\"127.0.0.1:0\"", "--listen"),
                new ConfigLoader.Override("config_dir", SettingsFromFlags.quoted(TestConfigDir.get().toString()), "--config-dir"),
                ConfigLoader.parseSet("tls.intercept=false"),
                ConfigLoader.parseSet("upstream_proxy=http://" + origin.authority())));
        proxy = ProxyUnderTest.start(base -> loaded.settings());
        client = proxy.httpClient();
    }

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    @Test
    void theSampleHoldsOneRuleOfEachKind() throws Exception {
        List<Rule> rules = ConfigLoader.load(Optional.of(dir.resolve("config.yaml")), List.of()).settings().rules();

        assertEquals(List.of("add-auth", "staging", "user-mock", "assets", "health", "no-ads", "no-tracker", "slow-api",
                "slow-downloads"), rules.stream().map(Rule::name).toList());
        Set<String> kinds = rules.stream().flatMap(r -> r.actions().stream()).map(ReferenceSampleTest::kind).collect(Collectors.toSet());
        assertEquals(Set.of("set REQUEST", "add REQUEST", "remove REQUEST", "set RESPONSE", "add RESPONSE", "remove RESPONSE",
                "map remote", "map local file", "map local directory", "respond", "block with a status", "block by dropping",
                "delay", "throttle"), kinds);
    }

    @Test
    void headerRulesChangeTheRequestAndTheOriginsResponse() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://api.example.com/items"))
                .header("Cookie", "id=secret").header("X-Debug", "0").build());

        String sent = origin.takeHead();
        assertTrue(sent.startsWith("GET http://api.example.com/items HTTP/1.1\r\n"), sent);
        assertEquals(List.of("Bearer dev-token"), Heads.values(sent, "Authorization"));
        assertEquals(List.of("0", "1"), Heads.values(sent, "X-Debug"));
        assertEquals(List.of(), Heads.values(sent, "Cookie"));
        assertEquals(200, response.statusCode());
        assertEquals(List.of("no-store"), response.headers().allValues("Cache-Control"));
        assertEquals(List.of("wiretap"), response.headers().allValues("X-Served-Via"));
        assertEquals(List.of(), response.headers().allValues("Set-Cookie"));
        assertEquals(List.of("add-auth"), finished("http://api.example.com/items").appliedRules());
    }

    @Test
    void mapRemoteSendsTheRequestToStagingWithTheHostFollowing() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://www.example.com/api/users?id=1")).build());

        String sent = origin.takeHead();
        assertTrue(sent.startsWith("GET http://staging.example.com:8080/v2/users?id=1 HTTP/1.1\r\n"), sent);
        assertEquals(List.of("staging.example.com:8080"), Heads.values(sent, "Host"));
        assertEquals(200, response.statusCode());
        assertEquals(List.of("staging"), finished("http://staging.example.com:8080/v2/users?id=1").appliedRules());
    }

    @Test
    void mapLocalAnswersFromAFileAndFromADirectoryWithoutTheOrigin() throws Exception {
        HttpResponse<String> user = send(HttpRequest.newBuilder(URI.create("http://api.example.com/user")).build());
        assertEquals(200, user.statusCode());
        assertEquals("{\"name\": \"Ada\"}", user.body());
        assertTrue(user.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), user.headers().toString());
        assertEquals(List.of("add-auth", "user-mock"), finished("http://api.example.com/user").appliedRules());

        HttpResponse<String> asset = send(HttpRequest.newBuilder(URI.create("http://cdn.example.com/assets/app.js")).build());
        assertEquals(200, asset.statusCode());
        assertEquals("console.log('hi');", asset.body());
        assertTrue(asset.headers().firstValue("Content-Type").orElse("").contains("javascript"), asset.headers().toString());

        HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create("http://cdn.example.com/assets/gone.js")).build());
        assertEquals(404, missing.statusCode());

        assertNull(origin.pollHead(0), "the origin was not asked");
    }

    @Test
    void respondAnswersInline() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://shop.example.com/health")).build());

        assertEquals(200, response.statusCode());
        assertEquals("{\"ok\": true}", response.body());
        assertEquals(Optional.of("application/json"), response.headers().firstValue("Content-Type"));
        assertEquals(List.of("health"), finished("http://shop.example.com/health").appliedRules());
        assertNull(origin.pollHead(0), "the origin was not asked");
    }

    @Test
    void blockAnswersWithItsStatusOrDropsTheConnection() throws Exception {
        assertEquals(403, send(HttpRequest.newBuilder(URI.create("http://ads.example.com/banner.js")).build()).statusCode());
        assertEquals(403, send(HttpRequest.newBuilder(URI.create("http://x.doubleclick.example/pixel")).build()).statusCode());

        assertThrows(IOException.class, () -> send(HttpRequest.newBuilder(URI.create("http://tracker.example.com/p")).build()));
        assertEquals(List.of("no-tracker"), finished("http://tracker.example.com/p").appliedRules());
        assertNull(origin.pollHead(0), "the origin was not asked");
    }

    @Test
    void delayHoldsMatchingRequestsBack() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://api.example.com/items"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(200, response.statusCode());
        assertTrue(tookMillis >= 500, "took " + tookMillis + " ms");
        assertTrue(origin.takeHead().startsWith("POST http://api.example.com/items HTTP/1.1\r\n"));
        assertEquals(List.of("add-auth", "slow-api"), finished("http://api.example.com/items").appliedRules());
    }

    @Test
    void throttleAppliesToItsHost() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://downloads.example.com/file.zip")).build());

        assertEquals(200, response.statusCode());
        assertEquals("origin saw GET http://downloads.example.com/file.zip HTTP/1.1", response.body());
        assertEquals(List.of("slow-downloads"), finished("http://downloads.example.com/file.zip").appliedRules());
    }

    @Test
    void everyFilterTheReferenceShowsParses() throws Exception {
        String reference = reference();
        String section = reference.substring(reference.indexOf("### Filters"), reference.indexOf("### Live reload"));
        List<String> examples = new java.util.ArrayList<>();
        int block = section.indexOf("```\n") + 4;
        section.substring(block, section.indexOf("```\n", block)).lines().forEach(examples::add);
        for (String row : section.lines().filter(l -> l.startsWith("| `") && l.split("\\|").length > 3).toList()) {
            String cell = row.substring(row.lastIndexOf(" | ") + 3);
            java.util.regex.Matcher code = java.util.regex.Pattern.compile("`([^`]+)`").matcher(cell);
            while (code.find()) {
                examples.add(code.group(1));
            }
        }
        assertTrue(examples.size() > 20, examples.toString());
        for (String example : examples) {
            dev.wiretap.config.filter.Filter.parse(example);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The YAML block after the reference's marker, exactly as written there. */
    static String sample() throws IOException {
        String reference = reference();
        int marker = reference.indexOf(MARKER);
        assertTrue(marker >= 0, "docs/reference.md has no marker before its sample config");
        int start = reference.indexOf("```yaml\n", marker) + "```yaml\n".length();
        int end = reference.indexOf("```\n", start);
        assertFalse(start < "```yaml\n".length() || end < 0, "no ```yaml block after the marker");
        return reference.substring(start, end);
    }

    /** The project's docs/reference.md, found from the working directory (the module's, under Maven) upwards. */
    private static String reference() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/reference.md"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "no docs/reference.md above " + Path.of("").toAbsolutePath());
        return Files.readString(dir.resolve("docs/reference.md"));
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The next finished flow for {@code url}, skipping others (a client's retry, say). */
    private Flow finished(String url) throws InterruptedException {
        while (true) {
            Flow flow = proxy.nextFinishedFlow();
            if (flow.request().url().equals(url)) {
                return flow;
            }
        }
    }

    private static String kind(RuleAction action) {
        return switch (action) {
            case RuleAction.SetHeader h -> "set " + h.side();
            case RuleAction.AddHeader h -> "add " + h.side();
            case RuleAction.RemoveHeader h -> "remove " + h.side();
            case RuleAction.MapRemote m -> "map remote";
            case RuleAction.MapLocal m -> Files.isDirectory(m.path()) ? "map local directory" : "map local file";
            case RuleAction.Respond r -> "respond";
            case RuleAction.Block b -> b.status().isPresent() ? "block with a status" : "block by dropping";
            case RuleAction.Delay d -> "delay";
            case RuleAction.Throttle t -> "throttle";
        };
    }
}
