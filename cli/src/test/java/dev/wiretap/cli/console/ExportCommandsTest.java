package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wiretap.proxy.testing.CodedOrigin;
import dev.wiretap.proxy.testing.EchoHandler;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
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
            c.terminal.waitFor(0, "/for-curl"); // the live row, before the command's output is waited for
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
            String screen = c.run("curl " + id, "for-curl");
            assertTrue(screen.contains("curl") && screen.contains(origin.url("/for-curl?q=1")), screen);
        }
    }

    @Test
    void curlDashXWritesACommandThatResendsThroughWiretapAsANewFlow() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is needed");
        TestCa originCa = TestCa.ec("console curl origin CA");
        Path originCaFile = originCa.writeCertificate(dir.resolve("origin-ca.pem"));
        try (TestOrigin tls = TestOrigin.startTls(originCa.issue("127.0.0.1").serverContext(), EchoHandler.named("tls"));
             ConsoleUnderTest c = ConsoleUnderTest.start(Interception.on(originCaFile))) {
            HttpClient client = Interception.httpsClient(c.proxy, Interception.trustingWiretap(c.proxy));
            client.send(HttpRequest.newBuilder(URI.create(tls.httpsUrl("/again?x=1"))).build(), HttpResponse.BodyHandlers.ofString());
            c.terminal.waitFor(0, "/again?x=1");
            long id = c.wiretap().history().recent(1, f -> !f.request().isMethod("CONNECT")).getFirst().id();

            Path script = dir.resolve("resend.sh");
            c.run("curl -x " + id + " --to " + script, "wrote the curl command for flow " + id + " to " + script);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)));
            int mark = c.terminal.mark();
            Process bash = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true).start();
            String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bash.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, bash.exitValue(), output + "\n" + Files.readString(script));

            String listed = c.terminal.waitFor(mark, "/again?x=1");
            assertTrue(listed.lines().anyMatch(l -> l.contains("/again?x=1") && l.contains("200") && !l.contains(" " + id + " ")),
                    "the resend is not listed as a new flow:\n" + listed);
            assertEquals(2, c.wiretap().history().recent(10, f -> f.request().url().equals(tls.httpsUrl("/again?x=1"))).size());
        }
    }

    @Test
    void curlOnOneLineAndBadOptions() throws Exception {
        try (TestOrigin origin = TestOrigin.start(EchoHandler.named("echo")); ConsoleUnderTest c = ConsoleUnderTest.start()) {
            c.get(origin.url("/line"));
            c.terminal.waitFor(0, "/line");
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
            String screen = c.run("curl -1 " + id, "curl " + origin.url("/line"));
            String line = screen.lines().filter(l -> l.startsWith("curl " + origin.url("/line"))).findFirst().orElseThrow();
            assertTrue(line.contains(" -H 'User-Agent: ") && line.contains(" -H 'Accept:'") && !line.endsWith("\\"), line);

            c.run("curl -z " + id, "curl has no option -z");
            c.run("curl " + id + " --to", "--to needs a file");
            c.run("curl " + id + " " + id, "curl takes one flow number");
            c.run("curl -x", "which flow?");
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
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
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
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
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
            c.run("save " + session, "saved 1 flow to");
        }
        assertTrue(Files.size(session) > 0);
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("load " + session, "loaded 1 flow from");
            assertTrue(screen.contains("/saved/flow"), screen);
            long id = c.wiretap().history().recent(1, f -> true).getFirst().id();
            String shown = c.run("show " + id, "/saved/flow HTTP/1.1");
            assertTrue(shown.contains("GET"), shown);
        }
    }

    @Test
    void loadReadsAHarToldFromASessionFileByItsContentAndListsItsFlows() throws Exception {
        Path har = dir.resolve("capture.json"); // not named .har: the content says what it is
        // The proxy's test-jar holds it, on the class path: through the class loader, as this class's module has it not.
        try (var in = ExportCommandsTest.class.getClassLoader().getResourceAsStream("dev/wiretap/proxy/export/chrome.har")) {
            Files.write(har, in.readAllBytes());
        }
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            String screen = c.run("load " + har, "loaded 6 flows from " + har + " (a HAR file by WebInspector 537.36), now numbered 1 to 6");
            assertTrue(screen.contains("skipped /log/entries/3: its URL is a data: URL"), screen);
            assertTrue(screen.contains("api.shop.example"), screen);

            String shown = c.run("show 3", "api.shop.example");
            assertTrue(shown.contains("POST"), shown);
            Path again = dir.resolve("again.har");
            c.run("export har " + again + " host:shop.example", "wrote 5 flows to " + again);
            assertEquals(5, new ObjectMapper().readTree(again.toFile()).path("log").path("entries").size());
        }
    }

    /**
     * Issue 12, item 4: a crafted session file (a record asking for 2 GB) ran the JVM out of memory and took the console
     * with it. It loads nothing, says why, and the console goes on.
     */
    @Test
    void loadOfACraftedSessionFileSaysWhyAndTheConsoleGoesOn() throws Exception {
        Path crafted = dir.resolve("crafted.wiretap");
        try (ConsoleUnderTest c = ConsoleUnderTest.start()) {
            Path empty = dir.resolve("empty.wiretap");
            c.run("save " + empty, "saved 0 flows to");
            byte[] header = Files.readAllBytes(empty);
            int headerLength = 12 + 2 + 2 + ((header[14] & 0xFF) << 8 | (header[15] & 0xFF));
            java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
            file.write(header, 0, headerLength);
            try (java.io.DataOutputStream records = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(file))) {
                records.writeInt(29);
                records.writeByte(3); // the record's version
                records.writeLong(1); // the flow's id
                records.writeInt(0x7FFF0000); // the client address's length: 2 GB
                records.write(new byte[16]);
                records.writeInt(-1);
                records.writeInt(1);
            }
            Files.write(crafted, file.toByteArray());

            String screen = c.run("load " + crafted, "loaded 0 flows from " + crafted);
            assertTrue(screen.contains("flow 1 of " + crafted + " cannot be read (damaged flow record: a byte run of 2147418112 bytes"),
                    screen);
            c.run("load " + Files.writeString(dir.resolve("notes.txt"), "notes"), "load failed: " + dir.resolve("notes.txt")
                    + " is neither a wiretap session file nor a HAR file");
            c.run("help load", "HAR file");
        }
    }
}
