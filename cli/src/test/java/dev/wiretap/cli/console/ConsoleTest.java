package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import dev.wiretap.proxy.testing.TestRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console driven through a scripted JLine terminal against a running wiretap and a real origin: keys in,
 * screen text out.
 */
class ConsoleTest {

    private static final TestOrigin.Handler JSON = conn -> {
        String head;
        while ((head = conn.readHead()) != null) {
            conn.readBody(head);
            byte[] body = "{\"name\":\"wiretap\",\"tags\":[\"a\",\"b\"]}".getBytes(StandardCharsets.UTF_8);
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-First: 1\r\nX-Second: 2\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            conn.out().write(body);
            conn.out().flush();
        }
    };

    @Test
    void showsControlCharactersFromOriginsAndFilesVisibleButInert(@TempDir Path dir) throws Exception {
        // Bytes 0x80-0x9F are obs-text, which a field value may hold, and C1 controls once read: 0x9B is CSI. A rule's
        // name comes from a file, which may hold ESC itself (an OSC that would set the window title here).
        byte[] answer = ("HTTP/1.1 200 O\u009bK\r\nContent-Type: text/\u009b31mhtml\r\nX-Evil: a\u009b2Jb\r\n"
                + "Content-Length: 2\r\n\r\nok").getBytes(StandardCharsets.ISO_8859_1);
        try (TestOrigin origin = TestOrigin.start(conn -> {
                conn.readHead();
                conn.out().write(answer);
                conn.out().flush();
            });
             ConsoleUnderTest c = ConsoleUnderTest.start(TestRules.with(dir, """
                     rules:
                       - name: "evil\\e]0;pwned\\a"
                         match: path:/evil
                         add_headers: {X-A: b}
                     """))) {
            int mark = c.terminal.mark();
            c.get(origin.url("/evil"));
            String row = c.terminal.waitFor(mark, "/evil");
            String shown = c.run("show", "X-Evil");

            assertTrue(row.contains("<U+009B>3"), "the row's type: " + row);
            assertTrue(shown.contains("HTTP/1.1 200 O<U+009B>K"), shown);
            assertTrue(shown.contains("X-Evil: a<U+009B>2Jb"), shown);
            assertTrue(shown.contains("rules applied: evil^[]0;pwned^G"), shown);
            String raw = c.terminal.raw();
            assertFalse(raw.contains("\u009b"), "a C1 control reached the terminal");
            assertFalse(raw.contains("\u001b]0;pwned"), "an OSC sequence reached the terminal");
        }
    }

    @Test
    void theGreetingNamesTheWebUisAddressWithItsToken() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.startWithWebUi("http://127.0.0.1:8081/?token=abc")) {
            String screen = c.terminal.waitFor(0, "web UI: http://127.0.0.1:8081/?token=abc");
            assertTrue(screen.indexOf("wiretap console on") < screen.indexOf("web UI: "), screen);
        }
    }

    @Test
    void showsFlowsLiveAsTheyFinish() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            int mark = c.terminal.mark();
            assertEquals(200, c.get(origin.url("/live/one")).statusCode());
            String screen = c.terminal.waitFor(mark, "/live/one");
            String row = screen.lines().filter(l -> l.contains("/live/one")).findFirst().orElseThrow();
            assertTrue(row.contains("GET") && row.contains("200") && row.contains("json") && row.contains("127.0.0.1:" + origin.port()),
                    "the row lacks method, status, type or host: " + row);
        }
    }

    @Test
    void showPrintsTheRequestAndResponseInWireOrderWithTheBody() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/detail?x=1"));
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
            String screen = c.run("show " + id, "wiretap");
            screen = c.terminal.waitFor(0, "X-Second: 2");
            assertTrue(screen.contains("GET " + origin.url("/detail?x=1") + " HTTP/1.1"), "not the request line as sent:\n" + screen);
            assertTrue(screen.contains("HTTP/1.1 200 OK"), screen);
            assertTrue(screen.indexOf("X-First: 1") < screen.indexOf("X-Second: 2"), "fields out of wire order:\n" + screen);
            assertTrue(screen.contains("\"name\""), "no body:\n" + screen);
        }
    }

    @Test
    void showNamesTheTlsWithTheClientAndWithTheOrigin(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TestCa originCa = TestCa.ec("console show TLS CA");
        java.nio.file.Path originCaFile = originCa.writeCertificate(dir.resolve("origin-ca.pem"));
        try (TestOrigin tls = TestOrigin.startTls(originCa.issue("localhost").serverContext(), JSON);
             ConsoleUnderTest c = ConsoleUnderTest.start(Interception.on(originCaFile))) {
            java.net.http.HttpClient client = Interception.httpsClient(c.proxy, Interception.trustingWiretap(c.proxy));
            String url = "https://localhost:" + tls.port() + "/secure";
            client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            c.terminal.waitFor(0, "/secure");
            long id = c.wiretap().history().recent(1, f -> !f.request().isMethod("CONNECT")).getFirst().id();
            String screen = c.run("show " + id, "upstream TLSv1.3");
            String line = screen.lines().filter(l -> l.startsWith("tls  ")).findFirst().orElseThrow(() -> new AssertionError(screen));
            assertTrue(line.matches("tls  client TLSv1\\.3 TLS_\\w+, SNI localhost  upstream TLSv1\\.3 TLS_\\w+, SNI localhost\\s*"), line);
        }
    }

    @Test
    void aFilterNarrowsTheLiveListAndABadOnePointsAtItsColumn() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.run("filter path:/keep", "filter path:/keep");
            int mark = c.terminal.mark();
            c.get(origin.url("/skip/me"));
            c.get(origin.url("/keep/me"));
            String screen = c.terminal.waitFor(mark, "/keep/me");
            assertFalse(screen.contains("/skip/me"), "a flow outside the filter was listed:\n" + screen);

            String error = c.run("filter host:x & (", "column");
            assertTrue(error.contains("^"), "no caret under the fault:\n" + error);

            c.run("filter", "filter cleared");
            String listed = c.run("list", "/skip/me");
            assertTrue(listed.contains("/keep/me"), listed);
        }
    }

    @Test
    void aBodyFilterFindsTextInACompressedResponse() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/coded/gzip?before"));
            c.get(origin.url("/plain?before"));
            c.terminal.waitFor(0, "/plain?before");

            String matching = c.run("filter resbody:needle", "wiretap [resbody:needle]>");
            assertTrue(matching.contains("/coded/gzip?before"), "the gzipped flow with the needle is not listed:\n" + matching);
            assertFalse(matching.contains("/plain?before"), matching);

            int mark = c.terminal.mark();
            c.get(origin.url("/plain?live"));
            c.get(origin.url("/coded/br?live"));
            String live = c.terminal.waitFor(mark, "/coded/br?live");
            assertFalse(live.contains("/plain?live"), "a flow without the needle was listed:\n" + live);

            String listed = c.run("list", "/coded/br?live");
            assertTrue(listed.contains("/coded/gzip?before") && !listed.contains("/plain"), listed);
        }
    }

    @Test
    void aFilterIsEchoedAsTyped() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            // The prompt after the command shows the filter as typed too.
            String screen = c.run("filter body:Ada  Host:Example.com", "wiretap [body:Ada  Host:Example.com]>");
            assertTrue(screen.contains("filter body:Ada  Host:Example.com: no recorded flow"), screen);
        }
    }

    @Test
    void anImageShowsAsItsFormatAndPixelsAndItsBytesWithHex() throws Exception {
        byte[] png = png(32, 20);
        TestOrigin.Handler image = conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.readBody(head);
                conn.write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: " + png.length + "\r\n\r\n");
                conn.out().write(png);
                conn.out().flush();
            }
        };
        try (TestOrigin origin = TestOrigin.start(image); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/logo.png"));
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();

            String shown = c.run("show " + id, "pixels");
            assertTrue(shown.contains("[PNG image, 32 × 20 pixels, "), shown);
            assertTrue(shown.contains("show " + id + " --hex shows its bytes"), shown);
            assertFalse(shown.contains("00000000  89 50 4e 47"), "hex without asking:\n" + shown);

            // Wait for the line's text column: the screen may be read while the line is still being written.
            String hex = c.run("show " + id + " --hex", "|.PNG........IHDR|");
            assertTrue(hex.contains("00000000  89 50 4e 47 0d 0a 1a 0a"), hex);
            c.run("show " + id + " --hex 3", "usage: show [N] [--hex]");
        }
    }

    @Test
    void helpListsTheCommandsAndExplainsOne() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String overview = c.run("help", "quit");
            for (String command : new String[] {"list", "show", "filter", "clear", "stats", "help"}) {
                assertTrue(overview.contains(command), "help does not list " + command + ":\n" + overview);
            }
            String one = c.run("help filter", "status:5xx");
            assertTrue(one.contains("filter [EXPR]"), one);
            assertTrue(c.run("help filter", "as you typed it").contains("Body terms see bodies decoded"));
            assertTrue(c.run("help show", "pager").contains("--hex shows every body as a hex"));
            assertTrue(c.run("help save", "save body 7 request").contains("save body N FILE writes flow N's response body"));
            assertTrue(c.run("help edit", "as written").contains("A compressed body (gzip, deflate, br, zstd) opens decoded"));
        }
    }

    @Test
    void anUnknownCommandNamesTheNearestOne() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("shwo 1", "unknown command");
            assertTrue(screen.contains("did you mean show?"), screen);
        }
    }

    @Test
    void tabCompletesCommandNames() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("sta\t", " accepted, ");
            assertTrue(screen.contains("flows"), screen);
        }
    }

    @Test
    void aLongFlowOpensInThePagerAndQReturnsToThePrompt() throws Exception {
        TestOrigin.Handler longText = conn -> {
            String head = conn.readHead();
            conn.readBody(head);
            StringBuilder body = new StringBuilder();
            for (int i = 1; i <= 200; i++) {
                body.append("line ").append(i).append('\n');
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            conn.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n");
            conn.out().write(bytes);
            conn.out().flush();
        };
        try (TestOrigin origin = TestOrigin.start(longText); ConsoleUnderTest c = ConsoleUnderTest.start("xterm-256color", 100, 24)) {
            c.get(origin.url("/long"));
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
            int mark = c.terminal.mark();
            c.terminal.type("show " + id + "\n");
            String pager = c.terminal.waitFor(mark, "line 5");
            assertFalse(pager.contains("line 150"), "the whole body was printed instead of paged");
            mark = c.terminal.mark();
            c.terminal.type("q");
            c.terminal.waitFor(mark, "wiretap>");
            c.run("stats", " accepted, ");
        }
    }

    @Test
    void clearClsAndCtrlLClearTheScreenAndKeepTheFlows() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/kept"));
            c.terminal.waitFor(0, "/kept");
            String clearScreen = "\u001b[H\u001b[2J"; // xterm's clear capability
            for (String keys : new String[] {"clear\n", "cls\n", "\f"}) {
                int before = c.terminal.raw().length();
                c.terminal.type(keys);
                waitForRaw(c, before, clearScreen);
                assertEquals(1, c.wiretap().history().size(), "flows forgotten by " + keys.strip());
            }
            c.run("list", "/kept");
        }
    }

    @Test
    void clearFlowsForgetsTheRecordedFlowsAndSaysHowMany() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/before-clear"));
            c.terminal.waitFor(0, "/before-clear");
            c.run("clear flows", "forgot 1 recorded flow");
            assertEquals(0, c.wiretap().history().size());
            c.run("list", "no flows yet");
            c.run("clear everything", "clear takes nothing");
        }
    }

    private static void waitForRaw(ConsoleUnderTest c, int from, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (c.terminal.raw().indexOf(expected, from) < 0) {
            assertTrue(System.nanoTime() < deadline, "the screen was not cleared:\n" + c.terminal.raw().substring(from));
            Thread.sleep(20);
        }
    }

    @Test
    void statsCountsInTheRightNumber() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/once"));
            String screen = c.run("stats", " idle");
            assertTrue(screen.contains("1 connection accepted") && screen.contains("1 connection opened, 0 reuses"), screen);
            assertTrue(screen.contains("open (at most 10000)"), screen);
            assertTrue(screen.contains(" for bodies in flight"), screen);
        }
    }

    private static byte[] png(int width, int height) throws java.io.IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void quitEndsTheConsole() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.terminal.type("quit\n");
            assertTrue(c.hasEnded(), "the console still runs after quit");
        }
    }
}
