package dev.wiretap.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One flow out of wiretap through the JSON API, over real traffic: a curl command that the real curl runs through
 * wiretap (an intercepted HTTPS origin, trusting wiretap's CA) so that the resend is a new flow, the command's options
 * and their refusals; a body downloaded as its content, decoded, under a file name for it, and what has no body.
 */
class FlowExportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode call(WebUnderTest wiretap, String path, int status) throws Exception {
        HttpResponse<String> r = wiretap.api(path);
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(r.body());
    }

    private static List<Flow> flows(WebUnderTest wiretap, Predicate<Flow> test) {
        return wiretap.wiretap().history().recent(100, f -> f.isDone() && test.test(f));
    }

    private static Flow awaitFlow(WebUnderTest wiretap, Predicate<Flow> test) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            List<Flow> found = flows(wiretap, test);
            if (!found.isEmpty()) {
                return found.getLast();
            }
            assertTrue(System.nanoTime() < deadline, "no such flow within 10 s");
            Thread.sleep(10);
        }
    }

    private static HttpResponse<byte[]> download(WebUnderTest wiretap, String path) throws Exception {
        return wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url(path)))
                .header("Authorization", "Bearer " + wiretap.web().token()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aCurlCommandThroughWiretapRunsWithTheRealCurlAndItsResendIsANewFlow() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed");
        TestCa originCa = TestCa.ec("web curl origin CA");
        Path originCaFile = originCa.writeCertificate(dir.resolve("origin-ca.pem"));
        try (TestOrigin tls = TestOrigin.startTls(originCa.issue("127.0.0.1").serverContext(), EchoHandler.named("tls"));
             WebUnderTest wiretap = WebUnderTest.start(s -> Interception.on(originCaFile).apply(s.withTls(s.tls()
                     .withConfigDir(dir.resolve("home")))))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .proxy(java.net.ProxySelector.of(wiretap.wiretap().address()))
                    .sslContext(TestCa.clientTrusting(wiretap.wiretap().certificateAuthority().orElseThrow().certificate())).build();
            String url = tls.httpsUrl("/again?x=1");
            client.send(HttpRequest.newBuilder(URI.create(url)).header("X-Test", "it's \"quoted\"").build(),
                    HttpResponse.BodyHandlers.ofString());
            Flow original = awaitFlow(wiretap, f -> f.request().url().equals(url));

            JsonNode curl = call(wiretap, "/api/flows/" + original.id() + "/curl?proxy=true&oneLine=true", 200);
            String text = curl.get("text").asText();
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("curl '" + url + "' -x http://127.0.0.1:" + wiretap.wiretap().address().getPort()
                    + " --noproxy '' --cacert " + dir.resolve("home").resolve("wiretap-ca.pem") + " "), text);
            assertTrue(curl.get("proxy").asBoolean() && curl.get("oneLine").asBoolean() && !curl.get("insecure").asBoolean());
            Process sh = new ProcessBuilder("sh", "-c", text).redirectErrorStream(true).start();
            String output = new String(sh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(sh.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, sh.exitValue(), output);
            assertTrue(output.contains("GET /again?x=1 HTTP/1.1"), output); // what the echo origin received

            Flow resend = awaitFlow(wiretap, f -> f.request().url().equals(url) && f.id() != original.id());
            assertTrue(resend.id() > original.id());
            assertEquals(200, resend.response().orElseThrow().status());
            assertEquals("it's \"quoted\"", resend.request().headers().first("X-Test").orElseThrow());
        }
    }

    @Test
    void aCurlCommandTakesTheConsolesOptionsAndRefusesWhatItCannotSay() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); WebUnderTest wiretap = WebUnderTest.start()) {
            try (RawClient c = new RawClient(wiretap.wiretap().address())) {
                c.send("POST " + origin.url("/items") + " HTTP/1.1\r\nHost: " + origin.authority()
                        + "\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello");
                assertEquals(200, c.readResponse().status());
            }
            Flow flow = awaitFlow(wiretap, f -> f.request().url().equals(origin.url("/items")));
            String straight = call(wiretap, "/api/flows/" + flow.id() + "/curl", 200).get("text").asText();
            assertEquals(List.of("curl " + origin.url("/items") + " \\", "  -H 'Content-Type: text/plain' \\",
                    "  -H 'User-Agent:' \\", "  -H 'Accept:' \\", "  --data-binary hello"), straight.lines().toList());
            String insecure = call(wiretap, "/api/flows/" + flow.id() + "/curl?insecure=true&oneLine=false", 200).get("text").asText();
            assertTrue(insecure.contains("\n  -k \\\n"), insecure);

            JsonNode bad = call(wiretap, "/api/flows/" + flow.id() + "/curl?proxy=yes", 400);
            assertEquals("proxy must be true or false, not 'yes'", bad.get("error").asText());
            assertEquals(404, call(wiretap, "/api/flows/9999/curl", 404).get("status").asInt());
            assertEquals("'x' is not a flow number (flows are numbered from 1)", call(wiretap, "/api/flows/x/curl", 400).get("error").asText());
            assertEquals(405, wiretap.api("POST", "/api/flows/" + flow.id() + "/curl", null).statusCode());
        }
    }

    @Test
    void aBodyDownloadsAsItsContentDecodedUnderANameForIt() throws Exception {
        TestOrigin coded = CodedOrigin.start();
        try (coded; WebUnderTest wiretap = WebUnderTest.start()) {
            wiretap.getThroughProxy(coded.url("/coded/gzip,br"));
            Flow flow = awaitFlow(wiretap, f -> f.request().url().equals(coded.url("/coded/gzip,br")));

            HttpResponse<byte[]> body = download(wiretap, "/api/flows/" + flow.id() + "/body/response");
            assertEquals(200, body.statusCode());
            assertEquals(CodedOrigin.JSON, new String(body.body(), StandardCharsets.UTF_8));
            assertEquals("attachment; filename=\"flow-" + flow.id() + "-response.json\"",
                    body.headers().firstValue("Content-Disposition").orElse(""));
            assertEquals("application/octet-stream", body.headers().firstValue("Content-Type").orElse(""));
            assertTrue(body.headers().firstValue("Content-Security-Policy").orElse("").contains("sandbox"));
            assertEquals("nosniff", body.headers().firstValue("X-Content-Type-Options").orElse(""));

            // HEAD answers as GET would, without the body (the UI asks first, to show a refusal instead of a bad file).
            HttpResponse<Void> head = wiretap.client().send(HttpRequest.newBuilder(URI.create(wiretap.url("/api/flows/"
                    + flow.id() + "/body/response"))).header("Authorization", "Bearer " + wiretap.web().token())
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());

            JsonNode none = call(wiretap, "/api/flows/" + flow.id() + "/body/request", 409);
            assertEquals("flow " + flow.id() + "'s request has no body", none.get("error").asText());
            assertEquals("no such body: head (there are request and response)",
                    call(wiretap, "/api/flows/" + flow.id() + "/body/head", 404).get("error").asText());
        }
    }

    @Test
    void aRequestBodyAndAnImageKeepTheirBytesAndAnImageItsName() throws Exception {
        try (ShopOrigin shop = ShopOrigin.start(); WebUnderTest wiretap = WebUnderTest.start()) {
            wiretap.getThroughProxy(shop.url("/logo.png?size=3"));
            Flow logo = awaitFlow(wiretap, f -> f.request().url().equals(shop.url("/logo.png?size=3")));
            HttpResponse<byte[]> png = download(wiretap, "/api/flows/" + logo.id() + "/body/response");
            assertArrayEquals(shop.pngBytes(), png.body());
            assertEquals("attachment; filename=\"logo.png\"", png.headers().firstValue("Content-Disposition").orElse(""));

            byte[] sent = new byte[300];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = (byte) i;
            }
            wiretap.proxyClient().send(HttpRequest.newBuilder(URI.create(shop.url("/upload"))).header("Content-Type", "application/x-thing")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(sent)).build(), HttpResponse.BodyHandlers.discarding());
            Flow upload = awaitFlow(wiretap, f -> f.request().url().equals(shop.url("/upload")));
            HttpResponse<byte[]> request = download(wiretap, "/api/flows/" + upload.id() + "/body/request");
            assertArrayEquals(sent, request.body());
            assertEquals("attachment; filename=\"flow-" + upload.id() + "-request.bin\"",
                    request.headers().firstValue("Content-Disposition").orElse(""));
            assertFalse(request.headers().firstValue("Content-Disposition").orElse("").contains("upload"));
        }
    }
}
