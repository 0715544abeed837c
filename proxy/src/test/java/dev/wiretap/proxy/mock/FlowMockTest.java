package dev.wiretap.proxy.mock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow recorded through a real wiretap from a real origin becomes a rule in a config file; the file loads with the
 * config loader; a real wiretap started with its rules answers the same request as the origin did, with the origin
 * stopped, and sends other requests on (where they fail, the origin being gone).
 */
class FlowMockTest {

    /** An awkward path: a query with regular-expression and filter characters. */
    private static final String PATH = "/api/user.json?id=1&sort=(name|age)&q=a+b*";

    @TempDir
    Path dir;

    @Test
    void aRecordedFlowAsARuleAnswersTheSameRequestWithoutTheOrigin() throws Exception {
        String json = "{\n  \"id\": 1,\n  \"name\": \"O'Brien \\\"Bob\\\"\"\n}\n";
        TestOrigin origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                conn.write("HTTP/1.1 201 Created\r\nContent-Type: application/json; charset=utf-8\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
                        + "Set-Cookie: a=1\r\nX-Dup: one\r\nSet-Cookie: b=2\r\nX-Dup: two\r\nConnection: keep-alive, X-Hop\r\nX-Hop: gone\r\n"
                        + "Cache-Control: no-store\r\nContent-Length: " + body.length + "\r\n\r\n");
                conn.out().write(body);
                conn.out().flush();
            }
        });
        Flow flow;
        try (ProxyUnderTest recorder = ProxyUnderTest.start()) {
            send(recorder, "GET", origin, PATH);
            flow = recorder.nextFinishedFlow();
        }
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "# my settings\nvia: true\n");

        FlowMock mock = FlowMock.of(flow);
        MockWriter.Written written = MockWriter.write(mock, config);

        assertFalse(written.created());
        assertEquals(Optional.empty(), written.bodyFile(), "a short text body goes into the rule");
        String text = Files.readString(config);
        assertTrue(text.startsWith("# my settings\nvia: true\n"), text);
        assertTrue(text.contains("# left out: 1 more Set-Cookie field"), text);
        List<Rule> rules = ConfigLoader.load(Optional.of(config), List.of()).settings().rules();
        assertEquals(1, rules.size());
        assertEquals("mock flow " + flow.id(), rules.getFirst().name());

        origin.close();
        try (ProxyUnderTest mocking = ProxyUnderTest.start(s -> s.withRules(rules))) {
            RawClient.Response answer = send(mocking, "GET", origin, PATH);
            assertEquals(201, answer.status());
            assertEquals(json, answer.bodyText());
            assertEquals("application/json; charset=utf-8", Heads.value(answer.head(), "Content-Type"));
            assertEquals("no-store", Heads.value(answer.head(), "Cache-Control"));
            assertEquals("one, two", Heads.value(answer.head(), "X-Dup"));
            assertEquals(List.of("a=1"), Heads.values(answer.head(), "Set-Cookie"));
            assertNull(Heads.value(answer.head(), "X-Hop"));
            assertNull(Heads.value(answer.head(), "Date"));
            assertEquals(List.of("mock flow " + flow.id()), mocking.nextFinishedFlow().appliedRules());

            // Only that request: another query, another method, another port go on to the (stopped) origin.
            assertEquals(502, send(mocking, "GET", origin, "/api/user.json?id=2").status());
            assertEquals(502, send(mocking, "POST", origin, PATH).status());
            assertEquals(502, send(mocking, "GET", "127.0.0.1:1", PATH).status());
        }
    }

    @Test
    void aCompressedBodyGoesToAFileAsItFlowedWithItsContentEncoding() throws Exception {
        ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(gzipped)) {
            gz.write("[1, 2, 3]".repeat(100).getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = gzipped.toByteArray();
        TestOrigin origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(body.length) + "\r\n");
                conn.out().write(body);
                conn.write("\r\n0\r\n\r\n");
            }
        });
        Flow flow;
        try (ProxyUnderTest recorder = ProxyUnderTest.start()) {
            send(recorder, "GET", origin, "/data");
            flow = recorder.nextFinishedFlow();
        }
        Path config = dir.resolve("conf").resolve("wiretap.yaml"); // neither the file nor its directory is there yet

        MockWriter.Written first = MockWriter.write(FlowMock.of(flow), config);
        MockWriter.Written second = MockWriter.write(FlowMock.of(flow), config);

        assertTrue(first.created());
        assertEquals(config.resolveSibling("mocks/flow-" + flow.id() + ".json.gz"), first.bodyFile().orElseThrow());
        assertEquals(config.resolveSibling("mocks/flow-" + flow.id() + "-2.json.gz"), second.bodyFile().orElseThrow());
        assertArrayEquals(body, Files.readAllBytes(first.bodyFile().get()), "the body as it flowed, still compressed");
        List<Rule> rules = ConfigLoader.load(Optional.of(config), List.of()).settings().rules();
        assertEquals(2, rules.size());

        origin.close();
        try (ProxyUnderTest mocking = ProxyUnderTest.start(s -> s.withRules(rules))) {
            RawClient.Response answer = send(mocking, "GET", origin, "/data");
            assertEquals(200, answer.status());
            assertEquals("gzip", Heads.value(answer.head(), "Content-Encoding"));
            assertArrayEquals(body, answer.body());
        }
    }

    @Test
    void aConfigThatDoesNotLoadIsLeftAsItWas() throws Exception {
        TestOrigin origin = TestOrigin.fixed("hello");
        Flow flow;
        try (ProxyUnderTest recorder = ProxyUnderTest.start()) {
            send(recorder, "GET", origin, "/x");
            flow = recorder.nextFinishedFlow();
        }
        origin.close();
        Path config = dir.resolve("config.yaml");
        String broken = "timeouts:\n  clent_idle: 5s\n";
        Files.writeString(config, broken);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MockWriter.write(FlowMock.of(flow), config));

        assertTrue(e.getMessage().contains("fix it first") && e.getMessage().contains("clent_idle"), e.getMessage());
        assertEquals(broken, Files.readString(config));
        assertFalse(Files.exists(dir.resolve("mocks")));
    }

    @Test
    void flowsWithoutAWholeResponseAreRefusedSayingWhy() throws Exception {
        TestOrigin big = TestOrigin.fixed("x".repeat(5000));
        try (ProxyUnderTest proxy = ProxyUnderTest.start(s -> s.withCapture(s.capture().withMaxBodyBytes(1024)))) {
            send(proxy, "GET", "127.0.0.1:1", "/refused");
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> FlowMock.of(proxy.nextFinishedFlow()));
            assertTrue(refused.getMessage().contains("failed (connection refused"), refused.getMessage());

            send(proxy, "GET", big, "/big");
            IllegalArgumentException cut = assertThrows(IllegalArgumentException.class, () -> FlowMock.of(proxy.nextFinishedFlow()));
            assertTrue(cut.getMessage().contains("cut at the capture cap (1024 of 5000 bytes captured)"), cut.getMessage());
        } finally {
            big.close();
        }
    }

    @Test
    void theMatchSelectsThePathAndQueryExactly() {
        assertEquals("method:GET host:api.example.com path:/^\\/user\\?id=1\\x26s=\\(a\\x7cb\\x29$/",
                FlowMock.match("GET", new dev.wiretap.proxy.flow.Destination("https", "api.example.com", 443, "/user?id=1&s=(a|b)")));
        assertEquals("method:PUT host:\"::1\" url:\"://[::1]:8080/\" path:/^\\/$/",
                FlowMock.match("PUT", new dev.wiretap.proxy.flow.Destination("http", "::1", 8080, "/")));
    }

    private static RawClient.Response send(ProxyUnderTest proxy, String method, TestOrigin origin, String path) throws Exception {
        return send(proxy, method, origin.authority(), path);
    }

    private static RawClient.Response send(ProxyUnderTest proxy, String method, String authority, String path) throws Exception {
        try (RawClient client = proxy.rawClient()) {
            client.send(method + " http://" + authority + path + " HTTP/1.1\r\nHost: " + authority + "\r\nAccept: */*\r\n"
                    + (method.equals("POST") ? "Content-Length: 0\r\n" : "") + "\r\n");
            return client.readResponse();
        }
    }
}
