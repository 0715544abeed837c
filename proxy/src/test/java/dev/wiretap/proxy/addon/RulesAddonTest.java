package dev.wiretap.proxy.addon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.config.rule.RuleAction.Side;
import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each rule action on a flow, at the request head and the response head, without sockets. */
class RulesAddonTest {

    @TempDir
    Path dir;

    private static LiveFlow flow(String method, String url, String... fields) {
        URI uri = URI.create(url);
        Request request = new Request(method, url, HttpVersion.HTTP_1_1, Headers.of(fields), new byte[0]);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        request.setDestination(new Destination(uri.getScheme(), uri.getHost(),
                uri.getPort() > 0 ? uri.getPort() : Destination.defaultPort(uri.getScheme()), path));
        return new LiveFlow(1, new InetSocketAddress("127.0.0.1", 40000), Instant.now(), System.nanoTime(), request);
    }

    private static LiveFlow connect(String hostPort) {
        Request request = new Request("CONNECT", hostPort, HttpVersion.HTTP_1_1, Headers.of("Host", hostPort), new byte[0]);
        String[] parts = hostPort.split(":");
        request.setDestination(new Destination("tcp", parts[0], Integer.parseInt(parts[1]), ""));
        return new LiveFlow(1, new InetSocketAddress("127.0.0.1", 40000), Instant.now(), System.nanoTime(), request);
    }

    private static Rule rule(String name, String filter, RuleAction... actions) {
        return new Rule(name, Filter.parse(filter), List.of(actions));
    }

    private static void respond(RulesAddon addon, Flow flow, int status, String... fields) {
        LiveFlow.of(flow).setResponse(new Response(HttpVersion.HTTP_1_1, status, "Whatever", Headers.of(fields), new byte[0]));
        addon.onResponseHead(flow);
    }

    @Test
    void setsAddsAndRemovesRequestFields() {
        RulesAddon addon = new RulesAddon(List.of(rule("auth", "host:api.example.com",
                new RuleAction.SetHeader(Side.REQUEST, "Authorization", "Bearer abc"),
                new RuleAction.AddHeader(Side.REQUEST, "X-Tag", "two"),
                new RuleAction.RemoveHeader(Side.REQUEST, "cookie"))));
        LiveFlow flow = flow("GET", "http://api.example.com/x", "Authorization", "Basic old", "X-Tag", "one",
                "Cookie", "a=1", "Cookie", "b=2", "Accept", "*/*");

        addon.onRequestHead(flow);

        Headers h = flow.request().headers();
        assertEquals(List.of("Bearer abc"), h.all("Authorization"));
        assertEquals(List.of("one", "two"), h.all("X-Tag"));
        assertEquals(List.of(), h.all("Cookie"));
        assertEquals(List.of("Authorization", "X-Tag", "Accept", "X-Tag"),
                java.util.stream.IntStream.range(0, h.size()).mapToObj(h::name).toList(), "set keeps the field's place");
        assertEquals(List.of("auth"), flow.appliedRules());
    }

    @Test
    void leavesAnExchangeTheFilterDoesNotSelectAlone() {
        RulesAddon addon = new RulesAddon(List.of(rule("auth", "host:api.example.com",
                new RuleAction.SetHeader(Side.REQUEST, "Authorization", "Bearer abc"))));
        LiveFlow flow = flow("GET", "http://www.example.com/x");

        addon.onRequestHead(flow);

        assertEquals(Optional.empty(), flow.request().headers().first("Authorization"));
        assertEquals(List.of(), flow.appliedRules());
    }

    @Test
    void changesResponseFieldsAtTheResponseHeadOnly() {
        RulesAddon addon = new RulesAddon(List.of(rule("cache", "host:api.example.com",
                new RuleAction.SetHeader(Side.RESPONSE, "Cache-Control", "no-store"),
                new RuleAction.AddHeader(Side.RESPONSE, "X-Served", "wiretap"),
                new RuleAction.RemoveHeader(Side.RESPONSE, "Set-Cookie"))));
        LiveFlow flow = flow("GET", "http://api.example.com/x", "Cache-Control", "max-age=0");

        addon.onRequestHead(flow);
        assertEquals(List.of("max-age=0"), flow.request().headers().all("Cache-Control"), "a response change touched the request");
        assertEquals(List.of(), flow.appliedRules(), "nothing changed yet");
        respond(addon, flow, 200, "Cache-Control", "max-age=600", "Set-Cookie", "s=1", "X-Served", "origin");

        Headers h = flow.response().orElseThrow().headers();
        assertEquals(List.of("no-store"), h.all("Cache-Control"));
        assertEquals(List.of("origin", "wiretap"), h.all("X-Served"));
        assertEquals(List.of(), h.all("Set-Cookie"));
        assertEquals(List.of("cache"), flow.appliedRules());
    }

    @ParameterizedTest(name = "{0} on a {1}: applied {2}")
    @CsvSource({
            "status:404, 404, true",
            "status:404, 200, false",
            "'!status:2xx', 200, false",
            "'!status:2xx', 503, true",
            "resheader:X-Debug, 200, false",
            "host:api.example.com & status:5xx, 502, true",
    })
    void decidesAFilterThatReadsTheResponseAtTheResponseHead(String filter, int status, boolean applied) {
        RulesAddon addon = new RulesAddon(List.of(rule("r", filter,
                new RuleAction.SetHeader(Side.RESPONSE, "X-Rule", "hit"))));
        LiveFlow flow = flow("GET", "http://api.example.com/x");

        addon.onRequestHead(flow);
        respond(addon, flow, status);

        assertEquals(applied, flow.response().orElseThrow().headers().contains("X-Rule"));
        assertEquals(applied ? List.of("r") : List.of(), flow.appliedRules());
    }

    @Test
    void aRulesOwnMapRemoteDoesNotUndoItsResponseActions() {
        RulesAddon addon = new RulesAddon(List.of(rule("staging", "host:api.example.com",
                new RuleAction.MapRemote(URI.create("https://staging.example.com:8443"), ""),
                new RuleAction.SetHeader(Side.RESPONSE, "X-Served-By", "staging"))));
        LiveFlow flow = flow("GET", "http://api.example.com/x");

        addon.onRequestHead(flow);
        respond(addon, flow, 200);

        assertEquals("https://staging.example.com:8443/x", flow.request().url());
        assertEquals(List.of("staging"), flow.response().orElseThrow().headers().all("X-Served-By"));
    }

    @Test
    void laterRulesSeeTheExchangeAsEarlierOnesLeftIt() {
        RulesAddon addon = new RulesAddon(List.of(
                rule("to staging", "host:api.example.com", new RuleAction.MapRemote(URI.create("http://staging.example.com"), "")),
                rule("for api", "host:api.example.com", new RuleAction.SetHeader(Side.REQUEST, "X-Api", "1")),
                rule("for staging", "host:staging.example.com", new RuleAction.SetHeader(Side.REQUEST, "X-Staging", "1"))));
        LiveFlow flow = flow("GET", "http://api.example.com/x");

        addon.onRequestHead(flow);

        assertEquals(List.of("to staging", "for staging"), flow.appliedRules());
        assertTrue(flow.request().headers().contains("X-Staging"));
    }

    @ParameterizedTest(name = "{0} to {1} (strip {2}) is {3}")
    @CsvSource({
            "http://api.example.com/api/items?q=1, https://staging.example.com/v2, /api, https://staging.example.com/v2/items?q=1",
            "http://api.example.com/api?q=1, http://staging.example.com/v2/, /api, http://staging.example.com/v2/?q=1",
            "http://api.example.com/api, http://staging.example.com:8080, /api, http://staging.example.com:8080/",
            "http://api.example.com/apiary/x, http://staging.example.com, /api, http://staging.example.com/apiary/x",
            "http://api.example.com/x, http://staging.example.com/, '', http://staging.example.com/x",
            "https://api.example.com/x, http://[::1]:9000, '', http://[::1]:9000/x",
    })
    void mapRemoteMovesSchemeHostPortAndPathPrefix(String from, String to, String strip, String expected) {
        RulesAddon addon = new RulesAddon(List.of(rule("map", "", new RuleAction.MapRemote(URI.create(to), strip))));
        LiveFlow flow = flow("GET", from);

        addon.onRequestHead(flow);

        assertEquals(expected, flow.request().url());
    }

    @Test
    void mapLocalAnswersWithTheNamedFile() throws Exception {
        Path file = Files.writeString(dir.resolve("user.json"), "{\"name\":\"local\"}");
        RulesAddon addon = new RulesAddon(List.of(rule("local", "path:/api/user", new RuleAction.MapLocal(file, ""))));
        LiveFlow flow = flow("GET", "http://api.example.com/api/user?id=3");

        addon.onRequestHead(flow);

        assertEquals(Optional.of(new Answer.File(file, "application/json")), flow.answer());
        assertEquals(List.of("local"), flow.appliedRules());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/static/css/site.css?v=2, css/site.css, text/css; charset=utf-8",
            "/static/, index.html, text/html; charset=utf-8",
            "/static/img/logo%20big.png, img/logo big.png, image/png",
            "/static/data.bin, data.bin, application/octet-stream",
    })
    void mapLocalFindsTheFileUnderADirectoryByPathAndGuessesItsType(String path, String file, String type) throws Exception {
        for (String name : List.of("css/site.css", "index.html", "img/logo big.png", "data.bin")) {
            Files.createDirectories(dir.resolve(name).getParent());
            Files.writeString(dir.resolve(name), name);
        }
        RulesAddon addon = new RulesAddon(List.of(rule("local", "", new RuleAction.MapLocal(dir, "/static"))));
        LiveFlow flow = flow("GET", "http://cdn.example.com" + path);

        addon.onRequestHead(flow);

        assertEquals(Optional.of(new Answer.File(dir.resolve(file), type)), flow.answer());
    }

    @ParameterizedTest
    @CsvSource({"/static/missing.css", "/static/../secret.txt", "/static/%2e%2e/secret.txt"})
    void mapLocalAnswers404ForAMissingFileOrOneOutsideTheDirectory(String path) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("secret.txt"), "secret");
        RulesAddon addon = new RulesAddon(List.of(rule("local", "", new RuleAction.MapLocal(root, "/static"))));
        LiveFlow flow = flow("GET", "http://cdn.example.com" + path);

        addon.onRequestHead(flow);

        Answer.Respond answer = assertInstanceOf(Answer.Respond.class, flow.answer().orElseThrow());
        assertEquals(404, answer.status());
        assertTrue(new String(answer.body(), StandardCharsets.UTF_8).contains("no local file"));
    }

    @Test
    void respondAnswersWithTheStatusFieldsInOrderAndBody() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Content-Type", "application/json");
        fields.put("X-B", "2");
        fields.put("X-A", "1");
        RulesAddon addon = new RulesAddon(List.of(rule("mock", "path:/health",
                new RuleAction.Respond(503, fields, "{\"up\":false}".getBytes(StandardCharsets.UTF_8)))));
        LiveFlow flow = flow("GET", "http://api.example.com/health");

        addon.onRequestHead(flow);

        Answer.Respond answer = assertInstanceOf(Answer.Respond.class, flow.answer().orElseThrow());
        assertEquals(503, answer.status());
        assertEquals("Service Unavailable", answer.reason());
        assertEquals(List.of("Content-Type", "X-B", "X-A"), List.copyOf(answer.headers().keySet()));
        assertArrayEquals("{\"up\":false}".getBytes(StandardCharsets.UTF_8), answer.body());
    }

    @Test
    void blockAnswersWithItsStatusOrDropsTheConnection() {
        RulesAddon addon = new RulesAddon(List.of(
                rule("forbid", "host:tracker.example", new RuleAction.Block(Optional.of(451))),
                rule("drop", "host:ads.example", new RuleAction.Block(Optional.empty()))));
        Flow forbidden = flow("GET", "http://tracker.example/pixel");
        Flow dropped = flow("GET", "http://ads.example/banner");

        addon.onRequestHead(forbidden);
        addon.onRequestHead(dropped);

        Answer.Respond answer = assertInstanceOf(Answer.Respond.class, forbidden.answer().orElseThrow());
        assertEquals(451, answer.status());
        assertEquals(Optional.of(new Answer.Drop()), dropped.answer());
        assertEquals(List.of("drop"), dropped.appliedRules());
    }

    @Test
    void theFirstAnswerWins() {
        RulesAddon addon = new RulesAddon(List.of(
                rule("first", "", new RuleAction.Block(Optional.of(403))),
                rule("second", "", new RuleAction.Respond(200, Map.of(), new byte[0]))));
        LiveFlow flow = flow("GET", "http://api.example.com/");

        addon.onRequestHead(flow);

        assertEquals(403, assertInstanceOf(Answer.Respond.class, flow.answer().orElseThrow()).status());
    }

    @Test
    void delayHoldsTheRequestHeadBack() {
        RulesAddon addon = new RulesAddon(List.of(rule("slow", "", new RuleAction.Delay(Duration.ofMillis(200)))));
        LiveFlow flow = flow("GET", "http://api.example.com/");

        long start = System.nanoTime();
        addon.onRequestHead(flow);

        assertTrue(System.nanoTime() - start >= 200_000_000L, "the delay did not hold the request");
        assertEquals(List.of("slow"), flow.appliedRules());
    }

    @Test
    void throttleSetsTheExchangesRates() {
        RulesAddon addon = new RulesAddon(List.of(rule("slow", "", new RuleAction.Throttle(1000, 64 * 1024))));
        LiveFlow flow = flow("POST", "http://api.example.com/upload");

        addon.onRequestHead(flow);

        assertEquals(Optional.of(new Throttle(1000, 64 * 1024)), flow.throttle());
    }

    @Test
    void onlyBlockAppliesToAConnect() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "a");
        RulesAddon addon = new RulesAddon(List.of(
                rule("rewrite", "host:api.example.com", new RuleAction.SetHeader(Side.REQUEST, "X-A", "1"),
                        new RuleAction.MapRemote(URI.create("http://elsewhere.example"), ""),
                        new RuleAction.SetHeader(Side.RESPONSE, "X-B", "1"),
                        new RuleAction.Throttle(10, 10)),
                rule("answer", "host:api.example.com", new RuleAction.MapLocal(file, "")),
                rule("mock", "host:api.example.com", new RuleAction.Respond(200, Map.of(), new byte[0]))));
        LiveFlow tunnel = connect("api.example.com:443");

        addon.onRequestHead(tunnel);

        assertEquals("api.example.com:443", tunnel.request().url());
        assertEquals(Optional.empty(), tunnel.answer());
        assertEquals(Optional.empty(), tunnel.throttle());
        assertEquals(List.of(), tunnel.responseRules());
        assertEquals(List.of(), tunnel.appliedRules());

        RulesAddon blocker = new RulesAddon(List.of(rule("no trackers", "host:tracker.example", new RuleAction.Block(Optional.of(403)))));
        Flow blocked = connect("tracker.example:443");
        blocker.onRequestHead(blocked);
        assertEquals(403, assertInstanceOf(Answer.Respond.class, blocked.answer().orElseThrow()).status());
        assertEquals(List.of("no trackers"), blocked.appliedRules());
    }

    @Test
    void neverChangesTheFieldsThatFrameTheBody() {
        RulesAddon addon = new RulesAddon(List.of(rule("framing", "",
                new RuleAction.SetHeader(Side.REQUEST, "Content-Length", "99"),
                new RuleAction.RemoveHeader(Side.RESPONSE, "content-length"),
                new RuleAction.AddHeader(Side.RESPONSE, "Transfer-Encoding", "chunked"))));
        LiveFlow flow = flow("POST", "http://api.example.com/", "Content-Length", "3");

        addon.onRequestHead(flow);
        respond(addon, flow, 200, "Content-Length", "5");

        assertEquals(List.of("3"), flow.request().headers().all("Content-Length"));
        assertEquals(List.of("5"), flow.response().orElseThrow().headers().all("Content-Length"));
        assertEquals(List.of(), flow.response().orElseThrow().headers().all("Transfer-Encoding"));
        assertEquals(List.of(), flow.appliedRules());
    }

    @Test
    void anExchangeKeepsTheRulesItStartedWithWhenTheyAreReplaced() {
        RulesAddon addon = new RulesAddon(List.of(rule("old", "", new RuleAction.SetHeader(Side.RESPONSE, "X-Rules", "old"))));
        Flow underWay = flow("GET", "http://api.example.com/a");
        addon.onRequestHead(underWay);

        addon.setRules(List.of(rule("new", "", new RuleAction.SetHeader(Side.RESPONSE, "X-Rules", "new"))));
        Flow next = flow("GET", "http://api.example.com/b");
        addon.onRequestHead(next);
        respond(addon, underWay, 200);
        respond(addon, next, 200);

        assertEquals(List.of("old"), underWay.response().orElseThrow().headers().all("X-Rules"));
        assertEquals(List.of("new"), next.response().orElseThrow().headers().all("X-Rules"));
        assertEquals("new", addon.rules().get(0).name());
    }
}
