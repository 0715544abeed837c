package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.CaCertificate;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wiretap's state through the JSON API: the rules in force with how many flows each applied to (the rules replaced
 * live, as a config reload does), the counters of flows, bytes and connections on each side, and the CA certificate
 * with how to trust it and the certificate itself to download.
 */
class StateApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(WebUnderTest wiretap, String path) throws Exception {
        HttpResponse<String> r = wiretap.api(path);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void listsTheRulesInForceWithHowManyFlowsEachAppliedToAndFollowsAReload() throws Exception {
        String yaml = """
                rules:
                  - name: tag api
                    match: path:/api/
                    set_headers: {X-Tag: api}
                  - name: tag all
                    match: host:*
                    set_headers: {X-All: "1"}
                """;
        try (WebUnderTest wiretap = WebUnderTest.start(TestRules.with(dir, yaml));
             TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"))) {
            wiretap.getThroughProxy(origin.url("/api/a"));
            wiretap.getThroughProxy(origin.url("/api/b"));
            wiretap.getThroughProxy(origin.url("/other"));
            JsonNode rules = awaitRules(wiretap, r -> r.get(1).get("applied").asInt() == 3);
            assertEquals("tag api", rules.get(0).get("name").asText());
            assertEquals("path:/api/", rules.get(0).get("match").asText());
            assertEquals(2, rules.get(0).get("applied").asInt());
            assertEquals("  - name: \"tag api\"\n    match: path:/api/\n    set_headers: {X-Tag: api}\n", rules.get(0).get("yaml").asText());

            List<Rule> reloaded = TestRules.read(dir, yaml.replace("tag all", "tag none").replace("host:*", "host:none.example"));
            wiretap.wiretap().updateRules(reloaded);
            rules = get(wiretap, "/api/rules").get("rules");
            assertEquals(List.of("tag api", "tag none"), List.of(rules.get(0).get("name").asText(), rules.get(1).get("name").asText()));
            assertEquals(0, rules.get(1).get("applied").asInt());
            assertTrue(get(wiretap, "/api/rules").get("configFile").isNull());
        }
    }

    @Test
    void aMockWhoseBodyIsNotTextShowsAsYamlWithTheBodyNamedInAComment() throws Exception {
        byte[] gzip = dev.wiretap.proxy.testing.CodedOrigin.encode("gzip", "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
        java.nio.file.Files.write(dir.resolve("body.json.gz"), gzip);
        String yaml = """
                rules:
                  - name: gz mock
                    match: path:/gz
                    respond: {status: 200, headers: {Content-Encoding: gzip}, body_file: body.json.gz}
                """;
        try (WebUnderTest wiretap = WebUnderTest.start(TestRules.with(dir, yaml))) {
            String shown = get(wiretap, "/api/rules").get("rules").get(0).get("yaml").asText();
            assertEquals("  - name: \"gz mock\"\n    match: path:/gz\n    respond: {status: 200, headers: {Content-Encoding: gzip}}\n"
                    + "    # respond: its body, " + gzip.length + " bytes, is not text (the config names it with body_file:)\n", shown);
        }
    }

    @Test
    void countsFlowsBytesAndConnectionsOnEachSide() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start(); TestOrigin origin = TestOrigin.start(EchoHandler.named("echo"))) {
            for (int i = 0; i < 3; i++) {
                wiretap.getThroughProxy(origin.url("/count"));
            }
            JsonNode stats = awaitStats(wiretap, s -> s.get("flows").get("held").asInt() == 3);
            assertEquals(3, stats.get("flows").get("seen").asInt());
            assertEquals(0, stats.get("flows").get("inFlight").asInt());
            assertEquals(0, stats.get("flows").get("paused").asInt());
            assertTrue(stats.get("bytes").get("fromClients").asLong() > 3 * "GET /count HTTP/1.1".length(), stats.toString());
            assertTrue(stats.get("bytes").get("toClients").asLong() > 3 * "HTTP/1.1 200 Whatever".length(), stats.toString());
            assertEquals(1, stats.get("clients").get("accepted").asInt(), "one kept-alive connection: " + stats);
            assertEquals(1, stats.get("clients").get("open").asInt(), stats.toString());
            assertEquals(10_000, stats.get("clients").get("max").asInt(), stats.toString());
            assertEquals(0, stats.get("clients").get("refused").asInt(), stats.toString());
            assertEquals(0, stats.get("memory").get("captureInFlight").asLong(), "no flow in flight: " + stats);
            assertTrue(stats.get("memory").get("captureBudget").asLong() > 0, stats.toString());
            assertEquals(1, stats.get("upstream").get("opened").asInt());
            assertEquals(2, stats.get("upstream").get("reused").asInt());
            assertTrue(stats.get("memory").get("storeUsed").asLong() > 0);
        }
    }

    @Test
    void offersTheCaCertificateWithHowToTrustIt() throws Exception {
        try (WebUnderTest wiretap = WebUnderTest.start(s -> s.withTls(s.tls().withIntercept(true)))) {
            CaCertificate ca = wiretap.wiretap().certificateAuthority().orElseThrow();
            JsonNode info = get(wiretap, "/api/ca");
            assertEquals(true, info.get("httpsInterception").asBoolean());
            assertEquals(ca.fingerprint(), info.get("fingerprint").asText());
            assertEquals(ca.certificateFile().toAbsolutePath().toString(), info.get("file").asText());
            assertEquals("Chromium and Chrome on Linux", info.get("clients").get(0).get("name").asText());
            assertTrue(info.get("clients").get(0).get("commands").get(1).asText().startsWith("certutil -d sql:$HOME/.pki/nssdb -A"));

            HttpResponse<byte[]> pem = download(wiretap, info.get("downloads").get("pem").asText());
            assertEquals("application/x-pem-file", pem.headers().firstValue("Content-Type").orElse(""));
            assertEquals("attachment; filename=\"wiretap-ca.pem\"", pem.headers().firstValue("Content-Disposition").orElse(""));
            assertEquals(ca.certificatePem(), new String(pem.body(), StandardCharsets.US_ASCII));
            HttpResponse<byte[]> der = download(wiretap, info.get("downloads").get("der").asText());
            assertArrayEquals(ca.certificateDer(), der.body());
            assertEquals(404, download(wiretap, "/api/ca/wiretap-ca.key").statusCode());
        }
        try (WebUnderTest wiretap = WebUnderTest.start()) {
            assertEquals(false, get(wiretap, "/api/ca").get("httpsInterception").asBoolean());
            assertEquals(404, download(wiretap, "/api/ca/wiretap-ca.pem").statusCode());
        }
    }

    private static HttpResponse<byte[]> download(WebUnderTest wiretap, String path) throws Exception {
        return wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url(path)))
                .header("Authorization", "Bearer " + wiretap.web().token()).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode awaitRules(WebUnderTest wiretap, java.util.function.Predicate<JsonNode> test) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode rules = get(wiretap, "/api/rules").get("rules");
            if (test.test(rules)) {
                return rules;
            }
            assertTrue(System.nanoTime() < deadline, "not so within 10 s: " + rules);
            Thread.sleep(10);
        }
    }

    private static JsonNode awaitStats(WebUnderTest wiretap, java.util.function.Predicate<JsonNode> test) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode stats = get(wiretap, "/api/stats");
            if (test.test(stats)) {
                return stats;
            }
            assertTrue(System.nanoTime() < deadline, "not so within 10 s: " + stats);
            Thread.sleep(10);
        }
    }
}
