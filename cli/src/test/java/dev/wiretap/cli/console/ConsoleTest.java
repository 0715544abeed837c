package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            String screen = c.run("show " + id, "wiretap");
            screen = c.terminal.waitFor(0, "X-Second: 2");
            assertTrue(screen.contains("GET " + origin.url("/detail?x=1") + " HTTP/1.1"), "not the request line as sent:\n" + screen);
            assertTrue(screen.contains("HTTP/1.1 200 OK"), screen);
            assertTrue(screen.indexOf("X-First: 1") < screen.indexOf("X-Second: 2"), "fields out of wire order:\n" + screen);
            assertTrue(screen.contains("\"name\""), "no body:\n" + screen);
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
    void helpListsTheCommandsAndExplainsOne() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String overview = c.run("help", "quit");
            for (String command : new String[] {"list", "show", "filter", "clear", "stats", "help"}) {
                assertTrue(overview.contains(command), "help does not list " + command + ":\n" + overview);
            }
            String one = c.run("help filter", "status:5xx");
            assertTrue(one.contains("filter [EXPR]"), one);
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
            String screen = c.run("sta\t", "connections accepted");
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
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            int mark = c.terminal.mark();
            c.terminal.type("show " + id + "\n");
            String pager = c.terminal.waitFor(mark, "line 5");
            assertFalse(pager.contains("line 150"), "the whole body was printed instead of paged");
            mark = c.terminal.mark();
            c.terminal.type("q");
            c.terminal.waitFor(mark, "wiretap>");
            c.run("stats", "connections accepted");
        }
    }

    @Test
    void clearForgetsTheRecordedFlows() throws Exception {
        try (TestOrigin origin = TestOrigin.start(JSON); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/before-clear"));
            c.terminal.waitFor(0, "/before-clear");
            c.run("clear", "recorded flows cleared");
            assertEquals(0, c.wiretap().flows().size());
            c.run("list", "no flows yet");
        }
    }

    @Test
    void quitEndsTheConsole() throws Exception {
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.terminal.type("quit\n");
            assertTrue(c.hasEnded(), "the console still runs after quit");
        }
    }
}
