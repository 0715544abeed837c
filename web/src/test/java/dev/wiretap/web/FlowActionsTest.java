package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acting on recorded flows through the JSON API, over real traffic: a replay as recorded and one edited first (the
 * origin gets what was asked for, as a new flow marked as the replay), a mistake in the edited text named by its line,
 * what cannot be replayed refused; a flow as a mock rule, shown as YAML, and added to the config file in use or to a
 * new config.yaml whose rule answers at once.
 */
class FlowActionsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode call(WebUnderTest wiretap, String method, String path, String body, int status) throws Exception {
        HttpResponse<String> r = wiretap.api(method, path, body);
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** A POST through the proxy, and its flow once stored. */
    private static Flow post(WebUnderTest wiretap, TestOrigin origin, String path, String body) throws Exception {
        try (RawClient client = new RawClient(wiretap.wiretap().address())) {
            client.send("POST " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nX-Test: original\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body);
            assertEquals(200, client.readResponse().status());
        }
        return awaitFlow(wiretap, f -> f.request().url().equals(origin.url(path)) && f.isDone() && f.replayOf().isEmpty());
    }

    private static Flow awaitFlow(WebUnderTest wiretap, java.util.function.Predicate<Flow> test) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Flow> found = wiretap.wiretap().history().recent(100, f -> f.isDone() && test.test(f));
            if (!found.isEmpty()) {
                return found.getLast();
            }
            assertTrue(System.nanoTime() < deadline, "no such flow within 10 s");
            Thread.sleep(10);
        }
    }

    @Test
    void replaysAFlowAsRecordedAndEditedFirst() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start(); TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"))) {
            Flow original = post(wiretap, origin, "/items", "first");
            origin.takeHead();

            JsonNode sent = call(wiretap, "POST", "/api/flows/" + original.id() + "/replay", null, 202);
            assertEquals(original.id(), sent.get("replaying").asLong());
            assertEquals(false, sent.get("edited").asBoolean());
            assertEquals("original", Heads.value(origin.takeHead(), "X-Test"));
            Flow replay = awaitFlow(wiretap, f -> f.replayOf().orElse(0) == original.id());
            assertEquals("POST /items HTTP/1.1\nfirst", replay.response().orElseThrow().body().text(StandardCharsets.UTF_8));

            String text = call(wiretap, "GET", "/api/flows/" + original.id() + "/request-text", null, 200).get("text").asText();
            assertTrue(text.startsWith("POST " + origin.url("/items") + " HTTP/1.1\n") && text.endsWith("\n\nfirst\n"), text);
            String edited = text.replace("X-Test: original", "X-Test: edited").replace("/items", "/items/2").replace("\n\nfirst\n", "\n\nsecond\n");
            assertEquals(true, call(wiretap, "POST", "/api/flows/" + original.id() + "/replay", edited, 202).get("edited").asBoolean());
            String head = origin.takeHead();
            assertEquals("POST /items/2 HTTP/1.1", Heads.startLine(head));
            assertEquals("edited", Heads.value(head, "X-Test"));
            Flow again = awaitFlow(wiretap, f -> f.replayOf().orElse(0) == original.id() && f.request().url().endsWith("/items/2"));
            assertEquals("POST /items/2 HTTP/1.1\nsecond", again.response().orElseThrow().body().text(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aMistakeInAReplaysTextOrAFlowThatCannotBeReplayedIsRefused() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start(); TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"))) {
            Flow original = post(wiretap, origin, "/items", "x");
            JsonNode error = call(wiretap, "POST", "/api/flows/" + original.id() + "/replay", "POST /items HTTP/1.1\nBad Field: x\n\n", 400);
            assertEquals(2, error.get("line").asInt());
            assertEquals("line 2: 'Bad Field' is not a valid field name (character 4 is a space)", error.get("error").asText());
            assertEquals("'x' is not a flow number (flows are numbered from 1)",
                    call(wiretap, "POST", "/api/flows/x/replay", null, 400).get("error").asText());
            assertEquals(404, wiretap.api("POST", "/api/flows/77/replay", null).statusCode());
            assertEquals("GET is not allowed here; allowed: POST", call(wiretap, "GET", "/api/flows/1/replay", null, 405).get("error").asText());
        }
    }

    @Test
    void aFlowBecomesAMockRuleShownAsYamlAndAddedToTheConfigFileInUse() throws Exception {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "# mine\nrules:\n  - name: keep me\n    match: host:a.example\n    block: 403\n");
        try (WebUnderTest wiretap = WebUnderTest.start(s -> s, Optional.of(config));
             TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"))) {
            Flow flow = post(wiretap, origin, "/user", "u");

            JsonNode mock = call(wiretap, "GET", "/api/flows/" + flow.id() + "/mock", null, 200);
            assertEquals("mock flow " + flow.id(), mock.get("rule").asText());
            String yaml = mock.get("yaml").asText();
            assertTrue(yaml.startsWith("rules:\n") && yaml.contains("  - name: mock flow " + flow.id() + "\n")
                    && yaml.contains("      status: 200\n") && yaml.contains("X-Origin: echo"), yaml);
            assertEquals(true, mock.get("inlineBody").asBoolean());
            assertEquals(config.toString(), mock.get("config").asText());

            JsonNode written = call(wiretap, "POST", "/api/flows/" + flow.id() + "/mock", null, 200);
            assertEquals("on reload", written.get("inForce").asText());
            assertEquals("added rule 'mock flow " + flow.id() + "' to " + config + "; the config reload applies it",
                    written.get("message").asText());
            assertTrue(Files.readString(config).startsWith("# mine\nrules:\n  - name: keep me\n"), Files.readString(config));
            assertEquals(List.of("keep me", "mock flow " + flow.id()),
                    ConfigLoader.load(Optional.of(config), List.of()).settings().rules().stream().map(r -> r.name()).toList());
        }
    }

    @Test
    void withoutAConfigFileAMockMakesConfigYamlAndAnswersAtOnce() throws Exception {
        Path home = dir.resolve("home");
        TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"));
        try (WebUnderTest wiretap = WebUnderTest.start(s -> s.withTls(s.tls().withConfigDir(home)))) {
            Flow flow = post(wiretap, origin, "/offline", "o");
            JsonNode written = call(wiretap, "POST", "/api/flows/" + flow.id() + "/mock", null, 200);
            assertEquals(true, written.get("created").asBoolean());
            assertEquals("now", written.get("inForce").asText());
            assertEquals(home.resolve("config.yaml").toString(), written.get("config").asText());
            origin.close();

            try (RawClient client = new RawClient(wiretap.wiretap().address())) {
                client.send("POST " + origin.url("/offline") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\nContent-Length: 1\r\n\r\no");
                RawClient.Response answer = client.readResponse();
                assertEquals(200, answer.status());
                assertEquals("POST /offline HTTP/1.1\no", new String(answer.body(), StandardCharsets.UTF_8));
            }
            JsonNode rules = call(wiretap, "GET", "/api/rules", null, 200).get("rules");
            assertEquals("mock flow " + flow.id(), rules.get(0).get("name").asText());
        } finally {
            origin.close();
        }
    }

    @Test
    void aFlowWithoutAWholeResponseIsNoMock() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start()) {
            wiretap.getThroughProxy("http://127.0.0.1:1/refused");
            Flow failed = awaitFlow(wiretap, f -> f.error().isPresent());
            JsonNode refused = call(wiretap, "GET", "/api/flows/" + failed.id() + "/mock", null, 409);
            assertTrue(refused.get("error").asText().startsWith("no mock for flow " + failed.id() + " failed ("), refused.toString());
        }
    }
}
