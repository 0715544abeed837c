package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI as the wiretap command starts it, in a child process: on by default (a free port when 8081 is taken, and
 * the banner says so), its address with the token in the banner and as the JSON log's first record, --web to move it,
 * --no-web to do without, and the UI answering with the printed token.
 */
class WebProcessTest {

    private static final Pattern WEB_LINE = Pattern.compile("web UI: (http://127\\.0\\.0\\.1:(\\d+)/\\?token=([A-Za-z0-9_-]+))");

    @TempDir
    Path home;

    @Test
    void servesTheUiByDefaultOnAFreePortWhen8081IsTakenAndPrintsWhereWithTheToken() throws Exception {
        try (ServerSocket held = holdIfFree(8081); // held here, or already taken by someone else: taken either way
             ChildWiretap wiretap = ChildWiretap.start(home, "--listen", "127.0.0.1:0")) {
            assertTrue(wiretap.nextLine().startsWith("wiretap "));
            String notice = wiretap.nextLine();
            assertTrue(notice.matches("web UI: 127\\.0\\.0\\.1:8081 is taken; listening on port \\d+ instead"), notice);
            Matcher m = WEB_LINE.matcher(wiretap.nextLine());
            assertTrue(m.matches());
            int port = Integer.parseInt(m.group(2));
            assertTrue(port != 8081);
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> flows = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/flows"))
                    .header("Authorization", "Bearer " + m.group(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, flows.statusCode(), flows.body());
            HttpResponse<String> visit = client.send(HttpRequest.newBuilder(URI.create(m.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, visit.statusCode(), "the printed address is the token visit");
            assertEquals("wiretap stopped. 0 flows; client connections 0 accepted; upstream connections 0 opened, 0 reuses",
                    wiretap.stopWithSigterm());
        }
    }

    @Test
    void noWebServesNoUiAndNamesNone() throws Exception {
        try (ChildWiretap wiretap = ChildWiretap.start(home, "--listen", "127.0.0.1:0", "--no-web", "--log-format", "json")) {
            JsonNode start = new ObjectMapper().readTree(wiretap.nextLine());
            assertTrue(start.get("webUi").isNull(), start.toString());
            assertFalse(wiretap.awaitStderr("listening on").contains("web UI"), wiretap.stderr());
        }
    }

    @Test
    void theJsonLogsFirstRecordNamesTheProxyAndTheUi() throws Exception {
        try (ChildWiretap wiretap = ChildWiretap.start(home, "--listen", "127.0.0.1:0", "--web", "127.0.0.1:0",
                "--log-format", "json")) {
            JsonNode start = new ObjectMapper().readTree(wiretap.nextLine());
            assertEquals("start", start.get("event").asText());
            assertTrue(start.get("proxy").asText().matches("http://127\\.0\\.0\\.1:\\d+"), start.toString());
            assertTrue(WEB_LINE.matcher("web UI: " + start.get("webUi").asText()).matches(), start.toString());
            assertTrue(wiretap.awaitStderr("web UI: " + start.get("webUi").asText()).contains("listening on"),
                    "the banner, on standard error in JSON mode, names it too");
        }
    }

    @Test
    void warnsWhenTheUiListensBeyondLoopbackAndPrintsALoopbackAddressToOpen() throws Exception {
        try (ChildWiretap wiretap = ChildWiretap.start(home, "--listen", "127.0.0.1:0", "--web", "0.0.0.0:0")) {
            assertTrue(wiretap.nextLine().startsWith("wiretap "));
            assertTrue(WEB_LINE.matcher(wiretap.nextLine()).matches(), "a wildcard address is opened as 127.0.0.1");
            assertTrue(wiretap.awaitStderr("not loopback").contains("wiretap: warning: the web UI listens on 0.0.0.0:0, not"
                    + " loopback: anyone who can reach this address can try to use it (it asks for the token)"), wiretap.stderr());
        }
    }

    private static ServerSocket holdIfFree(int port) {
        try {
            return new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
        } catch (IOException taken) {
            return null;
        }
    }

}
