package dev.wiretap.proxy;

import static dev.wiretap.proxy.LibraryClients.client;
import static dev.wiretap.proxy.LibraryClients.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules added in code ({@code when}), tried newest first before the config's, removed by their handles. */
class RulesInCodeTest {

    @TempDir
    Path dir;

    private TestOrigin origin;
    private Wiretap wiretap;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                byte[] seen = head.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
                conn.write("HTTP/1.1 200 OK\r\nX-Origin: yes\r\nContent-Length: " + seen.length + "\r\n\r\n");
                conn.out().write(seen);
                conn.out().flush();
            }
        });
        wiretap = Wiretap.builder().rules("- {name: file rule, match: path:/file, respond: {status: 200, body: from the file}}")
                .start();
        client = client(wiretap);
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        wiretap.close();
        origin.close();
    }

    @Test
    void eachActionChangesTheExchange() throws Exception {
        Path file = Files.writeString(dir.resolve("user.json"), "{\"local\": true}");
        wiretap.when("path:/respond").respond(418, "text/plain", "short and stout");
        wiretap.when("path:/headers").setRequestHeader("Authorization", "Bearer t");
        wiretap.when("path:/headers").addRequestHeader("X-Added", "1");
        wiretap.when("path:/headers").removeRequestHeader("User-Agent");
        wiretap.when("path:/headers").setResponseHeader("Cache-Control", "no-store");
        wiretap.when("path:/headers").addResponseHeader("X-Served-Via", "wiretap");
        wiretap.when("path:/headers").removeResponseHeader("X-Origin");
        wiretap.when("host:elsewhere.example.test").mapRemote("http://" + origin.authority() + "/v2", "/api");
        wiretap.when("path:/local").mapLocal(file);
        wiretap.when("path:/blocked").block(451);

        HttpResponse<String> respond = get(client, origin.url("/respond"));
        assertEquals(418, respond.statusCode());
        assertEquals("short and stout", respond.body());

        HttpResponse<String> headers = get(client, origin.url("/headers"));
        assertTrue(headers.body().contains("Authorization: Bearer t\r\n"), headers.body());
        assertTrue(headers.body().contains("X-Added: 1\r\n"), headers.body());
        assertFalse(headers.body().contains("User-Agent"), headers.body());
        assertEquals("no-store", headers.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("wiretap", headers.headers().firstValue("X-Served-Via").orElseThrow());
        assertTrue(headers.headers().firstValue("X-Origin").isEmpty());

        assertTrue(get(client, "http://elsewhere.example.test/api/users?id=1").body().startsWith("GET /v2/users?id=1 HTTP/1.1"));
        assertEquals("{\"local\": true}", get(client, origin.url("/local")).body());
        assertEquals(451, get(client, origin.url("/blocked")).statusCode());
        Flow blocked = wiretap.awaitFlow("path:/blocked", Duration.ofSeconds(5));
        assertEquals(List.of("when path:/blocked: block 451"), blocked.appliedRules());
    }

    @Test
    void delayThrottleAndDropApplyAndSaySo() throws Exception {
        wiretap.when("path:/slow").delay(Duration.ofMillis(50));
        wiretap.when("path:/slow").throttle(64 * 1024, 64 * 1024);
        wiretap.when("path:/dropped").drop();

        assertEquals(200, get(client, origin.url("/slow")).statusCode());
        Flow slow = wiretap.awaitFlow("path:/slow", Duration.ofSeconds(5));
        assertEquals(List.of("when path:/slow: throttle", "when path:/slow: delay 50ms"), slow.appliedRules());
        assertThrows(IOException.class, () -> get(client, origin.url("/dropped")));
        assertTrue(wiretap.awaitFlow("path:/dropped", Duration.ofSeconds(5)).error().isPresent());
    }

    @Test
    void theNewestRuleWinsAndRemovingItBringsBackTheOneBefore() throws Exception {
        RuleHandle older = wiretap.when("path:/file").respond(200, "text/plain", "older");
        RuleHandle newer = wiretap.when("path:/file").respond(200, "text/plain", "newer");
        assertEquals("newer", get(client, origin.url("/file")).body());
        assertTrue(newer.remove());
        assertFalse(newer.remove());
        assertEquals("older", get(client, origin.url("/file")).body());
        older.remove();
        assertEquals("from the file", get(client, origin.url("/file")).body());
    }

    @Test
    void aConfigReloadKeepsTheRulesAddedInCode() throws Exception {
        wiretap.when("path:/code").respond(200, "text/plain", "code");
        wiretap.updateRules(ConfigLoader.readRules("- {match: path:/file, respond: {status: 200, body: reloaded}}", "<r>", dir));
        assertEquals("code", get(client, origin.url("/code")).body());
        assertEquals("reloaded", get(client, origin.url("/file")).body());
    }

    @Test
    void aCheckpointTakesBackRulesHostsAndReplayMadeSince() throws Exception {
        RuleHandle kept = wiretap.when("path:/kept").respond(200, "text/plain", "kept");
        Checkpoint checkpoint = wiretap.checkpoint();
        wiretap.when("path:/kept").respond(200, "text/plain", "overridden");
        wiretap.addRules("rules: [{match: path:/later, block: 403}]");
        wiretap.resolve("later.example.test", "127.0.0.1:" + origin.port());
        assertEquals("overridden", get(client, origin.url("/kept")).body());
        assertEquals(200, get(client, "http://later.example.test/").statusCode());

        checkpoint.restore();

        assertEquals("kept", get(client, origin.url("/kept")).body());
        assertEquals(200, get(client, origin.url("/later")).statusCode());
        assertEquals(502, get(client, "http://later.example.test/").statusCode());
        assertEquals(kept.rules().get(0), wiretap.rules().get(0));
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of((Function<Wiretap, Object>) w -> w.when("(path:/x"), "invalid filter '(path:/x'"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").respond(99), "99 is not a final status"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").setRequestHeader("Content-Length", "1"),
                        "Content-Length frames the body"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").setResponseHeader("X", "a\r\nb"),
                        "the value of X holds a character a field may not hold"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").mapRemote("ftp://x.example"),
                        "is not an http:// or https:// URL with a host"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").mapLocal(Path.of("/no/such/file")),
                        "no such file or directory: /no/such/file"),
                Arguments.of((Function<Wiretap, Object>) w -> w.when("").block(200), "200 is not an error status"),
                Arguments.of((Function<Wiretap, Object>) w -> w.addRules("- {match: path:/x}"), "a rule needs at least one action"));
    }

    @ParameterizedTest
    @MethodSource("mistakes")
    void refusesAMistakeAtOnceInWords(Function<Wiretap, Object> mistake, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mistake.apply(wiretap));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
