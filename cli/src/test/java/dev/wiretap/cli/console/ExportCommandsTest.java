package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** curl, export har, save, save body and load typed into the console over flows from real exchanges. */
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
    void saveBodyWritesAResponseBodyDecodedAndRefusesWhatItCannotWrite() throws Exception {
        try (TestOrigin origin = CodedOrigin.start(); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/coded/gzip,br"));
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            Path json = dir.resolve("body.json");

            c.run("save body " + id + " " + json, "wrote flow " + id + "'s response body to " + json);
            assertEquals(CodedOrigin.JSON, Files.readString(json));

            c.run("save body " + id + " request " + dir.resolve("req"), "flow " + id + "'s request has no body; nothing written");
            assertFalse(Files.exists(dir.resolve("req")));
            c.run("save body " + id + " " + dir, "save failed: cannot write " + dir + ": it is a directory");
            c.run("save body " + id + " " + dir.resolve("no/such/dir/x"), "save failed: cannot write " + dir.resolve("no/such/dir/x")
                    + ": no such directory");
            c.run("save body " + id, "usage: save body N [request|response] FILE");
            c.run("save body 999 " + json, "no flow 999");
        }
    }

    @Test
    void saveBodyWritesARequestBody() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.proxy.httpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(origin.url("/upload")))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=Ada")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            Path form = dir.resolve("sent form.txt");

            c.run("save body " + id + " request " + form, "wrote flow " + id + "'s request body");
            assertEquals("name=Ada", Files.readString(form));
        }
    }

    @Test
    void aSavedSessionLoadsBackAndItsFlowsCanBeShown() throws Exception {
        Path session = dir.resolve("session.wiretap");
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/saved/flow"));
            c.terminal.waitFor(0, "/saved/flow");
            c.run("save " + session, "saved 1 flows");
        }
        assertTrue(Files.size(session) > 0);
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("load " + session, "loaded 1 flows");
            assertTrue(screen.contains("/saved/flow"), screen);
            long id = c.wiretap().flows().recent(1, f -> true).getFirst().id();
            String shown = c.run("show " + id, "/saved/flow HTTP/1.1");
            assertTrue(shown.contains("GET"), shown);
        }
    }
}
