package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * intercept, edit, resume, drop and replay typed into the console, against a running wiretap, a real origin and a
 * real client; the editor is a script that changes the message file as a user would.
 */
class InterceptCommandsTest {

    private static final TestOrigin.Handler OK = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            conn.readBody(head);
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
        }
    };

    /** An editor that adds a field before Host and renames the path /pause/me to /edited. */
    private static final List<String> SED_EDITOR = List.of("sh", "-c",
            "sed -i -e 's|^Host:|X-Edited: yes\\nHost:|' -e 's|/pause/me|/edited|' \"$0\"");

    private static long pausedId(ConsoleUnderTest c) {
        return c.wiretap().intercept().paused().getFirst().flow().id();
    }

    private static long newestId(ConsoleUnderTest c) {
        return c.wiretap().history().recent(1, f -> true).getFirst().id();
    }

    @Test
    void aPausedRequestWaitsIsEditedAndResumed() throws Exception {
        try (TestOrigin origin = TestOrigin.start(OK);
             ConsoleUnderTest c = ConsoleUnderTest.start("xterm-256color", 160, 50, SED_EDITOR)) {
            c.run("intercept path:/pause", "intercepting requests matching");
            int mark = c.terminal.mark();
            CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get(origin.url("/pause/me"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "⏸");
            // The row is written in more than one piece: its path may follow the pause sign a moment later.
            c.terminal.waitFor(mark, "/pause/me");
            assertNull(origin.pollHead(300), "the origin saw a paused request");
            long id = pausedId(c);

            c.run("intercept", "at the request");
            c.run("edit " + id, "edited; resume " + id);
            c.run("resume " + id, "resumed");

            String atOrigin = origin.takeHead();
            assertTrue(atOrigin.startsWith("GET /edited HTTP/1.1"), atOrigin);
            assertEquals("yes", Heads.value(atOrigin, "X-Edited"));
            assertEquals("ok", response.get(10, TimeUnit.SECONDS).body());
            c.terminal.waitFor(0, "/edited");
            String shown = c.run("show " + id, "note:");
            assertTrue(shown.contains("X-Edited: yes"), "show does not show the edit:\n" + shown);
        }
    }

    @Test
    void saysWhyAMatchWentOnWithoutPausingWhenTheLimitIsReached() throws Exception {
        try (TestOrigin origin = TestOrigin.start(OK);
             ConsoleUnderTest c = ConsoleUnderTest.start(s -> s.withCapture(s.capture().withMaxPaused(1)))) {
            String confirmed = c.run("intercept path:/pause", "of bodies");
            assertTrue(confirmed.contains("at most 1 wait at once, holding at most 64.0m of bodies"), confirmed);
            int mark = c.terminal.mark();
            CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get(origin.url("/pause/one"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "⏸");

            assertEquals("ok", c.get(origin.url("/pause/two")).body(), "the second match went on");

            String screen = c.terminal.waitFor(mark, "went on without pausing");
            assertTrue(screen.contains("intercept: 1 matching flow went on without pausing, as 1 flow is paused already,"
                    + " the most capture.max_paused allows (resume or drop paused flows to make room)"), screen);
            String queue = c.run("intercept", "s left");
            assertTrue(queue.contains("1 matching flow went on without pausing; the last as 1 flow is paused already"), queue);
            c.run("resume all", "resumed");
            assertEquals("ok", waiting.get(10, TimeUnit.SECONDS).body());
        }
    }

    @Test
    void aCompressedResponseIsEditedAsTextAndGoesOnEncodedAsBefore() throws Exception {
        // The editor changes the name in the body: it can only find it if the body is shown decoded.
        List<String> editor = List.of("sh", "-c", "sed -i -e 's|\"Ada\"|\"Grace\"|' \"$0\"");
        try (TestOrigin origin = CodedOrigin.start(); ConsoleUnderTest c = ConsoleUnderTest.start("xterm-256color", 160, 50, editor)) {
            c.run("intercept -r path:/coded", "intercepting requests and responses");
            int mark = c.terminal.mark();
            CompletableFuture<HttpResponse<byte[]>> response = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.proxy.httpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin.url("/coded/gzip")))
                            .timeout(java.time.Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "⏸");
            long id = pausedId(c);
            c.run("resume " + id, "resumed"); // the request goes on; the response pauses
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (c.wiretap().intercept().paused(id).filter(p -> p.side() == dev.wiretap.proxy.flow.Flow.Side.RESPONSE).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling for the response to pause, not asserting a time
            }
            c.run("intercept", "at the response");
            c.run("edit " + id, "response edited; resume " + id);
            c.run("resume " + id, "resumed");

            HttpResponse<byte[]> got = response.get(20, TimeUnit.SECONDS);
            assertEquals(List.of("gzip"), got.headers().allValues("Content-Encoding"));
            String body = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(got.body())).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(CodedOrigin.JSON.replace("\"Ada\"", "\"Grace\""), body);
            assertEquals(List.of(Integer.toString(got.body().length)), got.headers().allValues("Content-Length"));
        }
    }

    @Test
    void dropCutsAPausedRequestOffAndResumeAllLetsTheRestGo() throws Exception {
        try (TestOrigin origin = TestOrigin.start(OK); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.run("intercept path:/p", "intercepting requests");
            int mark = c.terminal.mark();
            CompletableFuture<Integer> dropped = CompletableFuture.supplyAsync(() -> {
                // A raw client: the JDK's would send the GET again on a connection closed under it.
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", c.proxy.port())) {
                    s.getOutputStream().write(("GET " + origin.url("/p/dropped") + " HTTP/1.1\r\nHost: " + origin.authority()
                            + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.setSoTimeout(10_000);
                    return s.getInputStream().read();
                } catch (java.io.IOException e) {
                    return -1;
                }
            });
            c.terminal.waitFor(mark, "/p/dropped");
            c.run("drop " + pausedId(c), "dropped");
            assertEquals(-1, dropped.get(15, TimeUnit.SECONDS), "the dropped request got an answer");

            mark = c.terminal.mark();
            CompletableFuture<HttpResponse<String>> kept = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get(origin.url("/p/kept"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "/p/kept");
            c.run("intercept off", "intercept off");
            String resumed = c.run("resume all", "resumed 1 flow");
            assertFalse(resumed.contains("1 flows"), resumed);
            assertEquals(200, kept.get(10, TimeUnit.SECONDS).statusCode());
            assertTrue(origin.takeHead().startsWith("GET /p/kept"), "the origin did not get the resumed request");
        }
    }

    @Test
    void replaySendsARecordedRequestAgainAsANewFlow() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/again"));
            origin.takeHead();
            long id = newestId(c);
            c.run("replay " + id, "replay of flow " + id + " is flow");
            assertTrue(origin.takeHead().startsWith("GET /again"), "the replay did not reach the origin");
            assertTrue(newestId(c) > id);
        }
    }

    @Test
    void editAgainAsksAgainOnAnAnswerThatIsNeitherYesNorNo(@TempDir Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        // An editor that leaves a message that cannot be read back, and counts how often it was opened.
        List<String> breaksTheMessage = List.of("sh", "-c", "echo run >> '" + runs + "'; printf 'not a request\\n' > \"$0\"");
        try (TestOrigin origin = TestOrigin.start(OK);
             ConsoleUnderTest c = ConsoleUnderTest.start("xterm-256color", 160, 50, breaksTheMessage)) {
            c.run("intercept path:/ask", "intercepting requests matching");
            int mark = c.terminal.mark();
            CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get(origin.url("/ask"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "⏸");
            long id = pausedId(c);

            c.run("edit " + id, "edit again? [Y/n]");
            c.run("show " + id, "answer y or n");
            assertEquals(1, Files.readAllLines(runs).size(), "a command typed at the question reopened the editor");
            c.run("yes", "edit again? [Y/n]"); // the editor ran again and its text is still broken: the question again
            assertEquals(2, Files.readAllLines(runs).size());
            c.run("n", "nothing changed");
            assertEquals(2, Files.readAllLines(runs).size());

            c.run("resume " + id, "resumed");
            assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void showSaysWhereAPausedFlowWaitsAndForHowLong() throws Exception {
        try (TestOrigin origin = TestOrigin.start(OK); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.run("intercept -r path:/held", "intercepting requests and responses");
            int mark = c.terminal.mark();
            CompletableFuture<HttpResponse<String>> response = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.get(origin.url("/held"));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            c.terminal.waitFor(mark, "⏸");
            long id = pausedId(c);

            String shown = c.run("show " + id, "(waiting for the response)");
            assertTrue(shown.matches("(?s).*paused \\(request\\), (299|300) s left.*"), shown);
            assertTrue(!shown.contains("in flight"), shown);

            mark = c.terminal.mark();
            c.terminal.type("resume " + id + "\n");
            c.terminal.waitFor(mark, "⏸"); // now at the response
            shown = c.run("show " + id, "HTTP/1.1 200 OK");
            assertTrue(shown.matches("(?s).*paused \\(response\\), \\d+ s left.*"), shown);

            c.run("resume " + id, "resumed");
            assertEquals("ok", response.get(10, TimeUnit.SECONDS).body());
        }
    }

    @Test
    void editingAFlowThatIsNotPausedSaysSo() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.run("edit 7", "flow 7 is not paused");
        }
    }
}
