package dev.wiretap.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing the rules of a running wiretap ({@code Wiretap.updateRules}): new exchanges see the new rules at once. */
class RulesReloadTest {

    @TempDir
    Path dir;

    private static String rulesTagging(String tag) {
        return """
                rules:
                  - name: tag %1$s
                    match: host:127.0.0.1
                    set_headers: {X-Rules: %1$s}
                    response: {set_headers: {X-Rules: %1$s}}
                """.formatted(tag);
    }

    private static String get(RawClient client, TestOrigin origin, String path) throws Exception {
        client.send("GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
        return client.readResponse().header("X-Rules");
    }

    @Test
    void theNextExchangeOnAKeptAliveConnectionSeesTheNewRules() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("a"));
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, rulesTagging("one")));
             RawClient client = proxy.rawClient()) {
            assertEquals("one", get(client, origin, "/1"));
            assertEquals("one", Heads.value(origin.takeHead(), "X-Rules"));

            List<Rule> two = TestRules.read(dir, rulesTagging("two"));
            proxy.wiretap().updateRules(two);
            assertEquals("two", get(client, origin, "/2"));
            assertEquals("two", Heads.value(origin.takeHead(), "X-Rules"));

            proxy.wiretap().updateRules(List.of());
            assertNull(get(client, origin, "/3"));
            assertNull(Heads.value(origin.takeHead(), "X-Rules"));

            assertEquals(List.of(), proxy.wiretap().rules());
            assertEquals(1, origin.connectionCount(), "the reload cost a connection");
            assertEquals(List.of("tag one"), proxy.nextFinishedFlow().appliedRules());
            assertEquals(List.of("tag two"), proxy.nextFinishedFlow().appliedRules());
            assertEquals(List.of(), proxy.nextFinishedFlow().appliedRules());
        }
    }

    @Test
    void anExchangeUnderWayKeepsTheRulesItStartedWith() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                 conn.readHead();
                 answer.await(10, TimeUnit.SECONDS);
                 conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
             });
             ProxyUnderTest proxy = ProxyUnderTest.start(TestRules.with(dir, rulesTagging("old")));
             RawClient client = proxy.rawClient()) {
            client.send("GET " + origin.url("/slow") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n");
            origin.takeHead(); // the request has gone out under the old rules; its response has not come yet

            proxy.wiretap().updateRules(TestRules.read(dir, rulesTagging("new")));
            answer.countDown();

            assertEquals("old", client.readResponse().header("X-Rules"));
        }
    }
}
