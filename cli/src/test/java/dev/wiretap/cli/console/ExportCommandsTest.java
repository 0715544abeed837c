package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl, export har, save and load typed into the console over flows from real exchanges. */
class ExportCommandsTest {

    @TempDir
    Path dir;

    @Test
    void curlPrintsACommandForTheRequest() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/for-curl?q=1"));
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            String screen = c.run("curl " + id, "for-curl");
            assertTrue(screen.contains("curl") && screen.contains(origin.url("/for-curl?q=1")), screen);
        }
    }

    @Test
    void exportHarWritesTheFlowsTheFilterSelects() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/har/one"));
            c.get(origin.url("/har/two"));
            c.get(origin.url("/other"));
            c.terminal.waitFor(0, "/other");
            Path har = dir.resolve("flows.har");
            c.run("export har " + har + " path:/har", "wrote 2 flows");
            JsonNode entries = new ObjectMapper().readTree(har.toFile()).path("log").path("entries");
            assertEquals(2, entries.size());
            assertEquals(origin.url("/har/one"), entries.get(0).path("request").path("url").asText());
            assertTrue(entries.get(0).path("time").asDouble() >= 0);
        }
    }

    @Test
    void aSavedSessionLoadsBackAndItsFlowsCanBeShown() throws Exception {
        Path session = dir.resolve("session.wiretap");
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/saved/flow"));
            c.terminal.waitFor(0, "/saved/flow");
            c.run("save " + session, "saved 1 flow to");
        }
        assertTrue(Files.size(session) > 0);
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("load " + session, "loaded 1 flow from");
            assertTrue(screen.contains("/saved/flow"), screen);
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            String shown = c.run("show " + id, "/saved/flow HTTP/1.1");
            assertTrue(shown.contains("GET"), shown);
        }
    }
}
