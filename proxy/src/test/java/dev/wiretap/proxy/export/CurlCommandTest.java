package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.testing.Heads;
import dev.wiretap.proxy.testing.Interception;
import dev.wiretap.proxy.testing.TestCa;
import dev.wiretap.proxy.testing.ProxyUnderTest;
import dev.wiretap.proxy.testing.RawClient;
import dev.wiretap.proxy.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each request goes through a running wiretap to a real origin; then the curl command made from the recorded flow
 * is run by bash, straight to the same origin, which must receive the same request line, fields (in order) and body.
 */
class CurlCommandTest {

    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final Path BASH = Path.of("/bin/bash");

    /** What the origin received: the head and the body. */
    private record Received(String head, byte[] body) {
    }

    private static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private static TestOrigin origin;
    private static ProxyUnderTest proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.start(conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                byte[] body = conn.readBody(head);
                received.add(new Received(head, body));
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        proxy = ProxyUnderTest.start();
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void reproducesAGetWithItsFieldsInOrderIncludingOddValues() throws Exception {
        byte[] request = ("GET " + origin.url("/search?q=it%27s&x=1") + " HTTP/1.1\r\n"
                + "Host: " + origin.authority() + "\r\n"
                + "X-Quote: it's \"quoted\" $HOME `id` \\n\r\n"
                + "X-Latin: caf\u00e9\r\n"
                + "X-Empty:\r\n"
                + "Accept: */*\r\n"
                + "X-Dup: one\r\n"
                + "X-Dup: two\r\n"
                + "Connection: keep-alive, X-Hop\r\n"
                + "X-Hop: gone\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);

        CurlCommand curl = sendAndRerun(request);

        assertTrue(curl.text().contains("-H 'X-Empty;'"), curl.text());
        assertTrue(curl.text().contains("-H 'User-Agent:'"), "curl's own User-Agent suppressed: " + curl.text());
        assertTrue(!curl.text().contains("X-Hop"), "fields the Connection field names belong to the hop: " + curl.text());
    }

    @Test
    void reproducesAPostedJsonBodyWithQuotesNewlinesAndUnicode() throws Exception {
        String json = "{\n  \"name\": \"O'Brien\",\n  \"city\": \"M\u00fcnchen\",\n  \"cmd\": \"$(rm -rf /)\"\n}\n";
        sendAndRerun(post("POST", "/api/people", "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void reproducesABinaryBodyWithNulBytesThroughPrintf() throws Exception {
        byte[] body = new byte[512];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }

        CurlCommand curl = sendAndRerun(post("PUT", "/upload", "application/octet-stream", body));

        assertTrue(curl.text().startsWith("printf '"), curl.text());
        assertTrue(curl.text().contains("-X PUT"), curl.text());
    }

    @Test
    void reproducesABodyTooLargeForOneArgument() throws Exception {
        byte[] body = "line of text with 100% of the 'quotes' and \\backslashes\\\n".repeat(3000).getBytes(StandardCharsets.US_ASCII);

        CurlCommand curl = sendAndRerun(post("POST", "/big", "text/plain", body));

        assertTrue(curl.text().contains("--data-binary @-"), curl.text().substring(0, 200));
    }

    @Test
    void sendsABodyStartingWithAnAtSignAsDataNotAFileName() throws Exception {
        CurlCommand curl = sendAndRerun(post("POST", "/at", "text/plain", "@/etc/passwd".getBytes(StandardCharsets.US_ASCII)));

        assertTrue(curl.text().contains("--data-raw"), curl.text());
    }

    @Test
    void reproducesABodyWithoutAContentType() throws Exception {
        sendAndRerun(post("PATCH", "/no-type", null, "a=1&b=2".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void reproducesAnEmptyPostAndADelete() throws Exception {
        sendAndRerun(post("POST", "/empty", null, new byte[0]));
        sendAndRerun(("DELETE " + origin.url("/items/7") + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void keepsDotSegmentsAndBracketsInThePath() throws Exception {
        CurlCommand curl = sendAndRerun(("GET " + origin.url("/a/./b/../c?x=[1]&y={2}") + " HTTP/1.1\r\nHost: "
                + origin.authority() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

        assertTrue(curl.text().contains("--path-as-is") && curl.text().contains("--globoff"), curl.text());
    }

    @Test
    void reproducesAHeadRequest() throws Exception {
        CurlCommand curl = sendAndRerun(("HEAD " + origin.url("/h") + " HTTP/1.1\r\nHost: " + origin.authority()
                + "\r\nUser-Agent: probe/1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

        assertTrue(curl.text().contains("--head"), curl.text());
    }

    @Test
    void throughWiretapTheResendIsRecordedAsANewFlow() throws Exception {
        CurlCommand.Options through = new CurlCommand.Options(Optional.of(new CurlCommand.Proxy("http://127.0.0.1:" + proxy.port(),
                Optional.empty())), false, false);
        String json = "{\"name\": \"O'Brien\"}\n";

        CurlCommand curl = sendAndRerun(post("POST", "/through", "application/json", json.getBytes(StandardCharsets.UTF_8)), through);

        assertTrue(curl.text().contains("-x http://127.0.0.1:" + proxy.port() + " --noproxy ''"), curl.text());
        Flow resent = proxy.nextFinishedFlow();
        assertEquals(origin.url("/through"), resent.request().url(), "the resend is not a flow of wiretap's");
        assertEquals(200, resent.response().orElseThrow().status());
    }

    @Test
    void onOneLineTheCommandHasNoLineBreaksAndStillReproducesTheRequest() throws Exception {
        CurlCommand.Options oneLine = new CurlCommand.Options(Optional.empty(), false, true);
        String text = "line one\nline 'two'\n\ttabbed\r\n";
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 7);
        }

        for (CurlCommand curl : List.of(sendAndRerun(post("POST", "/one-line", "text/plain", text.getBytes(StandardCharsets.UTF_8)), oneLine),
                sendAndRerun(post("PUT", "/one-line/bin", "application/octet-stream", binary), oneLine))) {
            assertEquals(-1, curl.text().indexOf('\n'), curl.text());
            assertTrue(!curl.text().contains("\\\n") && !curl.text().startsWith("#"), curl.text());
        }
    }

    @Test
    void throughWiretapToAnHttpsOriginCurlTrustsWiretapsCa(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(CURL) && Files.isExecutable(BASH), "curl and bash are needed");
        TestCa originCa = TestCa.ec("curl test origin CA");
        Path originCaFile = originCa.writeCertificate(dir.resolve("origin-ca.pem"));
        try (TestOrigin tls = TestOrigin.startTls(originCa.issue("127.0.0.1").serverContext(), conn -> {
                 String head;
                 while ((head = conn.readHead()) != null) {
                     conn.readBody(head);
                     conn.write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
                 }
             });
             ProxyUnderTest intercepting = ProxyUnderTest.start(Interception.on(originCaFile))) {
            Path wiretapCa = intercepting.wiretap().certificateAuthority().orElseThrow().certificateFile();
            Request request = new Request("GET", tls.httpsUrl("/inside"), HttpVersion.HTTP_1_1, Headers.of("Host", tls.authority()), new byte[0]);
            request.setDestination(new Destination("https", "127.0.0.1", tls.port(), "/inside"));
            CurlCommand curl = CurlCommand.of(request, new CurlCommand.Options(Optional.of(new CurlCommand.Proxy(
                    "http://127.0.0.1:" + intercepting.port(), Optional.of(wiretapCa))), false, false));

            assertTrue(curl.text().contains("--cacert " + wiretapCa), curl.text());
            assertEquals("secret", runCurl(curl));
            Flow resent = intercepting.nextFinishedFlow();
            if (resent.request().isMethod("CONNECT")) {
                resent = intercepting.nextFinishedFlow(); // the tunnel may end first; the request inside is a flow too
            }
            assertEquals(tls.httpsUrl("/inside"), resent.request().url());
            assertEquals(200, resent.response().orElseThrow().status());
        }
    }

    @Test
    void withKCurlTalksToAnOriginWhoseCaItDoesNotKnow() throws Exception {
        assumeTrue(Files.isExecutable(CURL) && Files.isExecutable(BASH), "curl and bash are needed");
        TestCa unknownCa = TestCa.ec("a CA curl does not know");
        try (TestOrigin tls = TestOrigin.startTls(unknownCa.issue("127.0.0.1").serverContext(), conn -> {
            String head;
            while ((head = conn.readHead()) != null) {
                conn.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })) {
            Request request = new Request("GET", tls.httpsUrl("/k"), HttpVersion.HTTP_1_1, Headers.of("Host", tls.authority()), new byte[0]);
            request.setDestination(new Destination("https", "127.0.0.1", tls.port(), "/k"));

            AssertionError withoutK = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> runCurl(CurlCommand.of(request)));
            assertTrue(withoutK.getMessage().contains("exit code 60"), withoutK.getMessage());
            CurlCommand insecure = CurlCommand.of(request, new CurlCommand.Options(Optional.empty(), true, false));
            assertTrue(insecure.text().contains("\n  -k"), insecure.text());
            assertEquals("ok", runCurl(insecure));
        }
    }

    @Test
    void saysWhenTheBodyWasTruncatedAtTheCaptureCap() {
        Request request = new Request("POST", "/x", HttpVersion.HTTP_1_1, Headers.of("Host", "example.com", "Content-Type", "text/plain"), new byte[0]);
        request.setDestination(new Destination("http", "example.com", 80, "/x"));
        BodyCapture capture = new BodyCapture(4, 10);
        capture.add("0123456789".getBytes(StandardCharsets.US_ASCII), 0, 10);
        request.setBody(capture.finish());

        CurlCommand curl = CurlCommand.of(request);

        assertEquals(List.of("the request body was truncated at capture cap: 4 of 10 bytes captured; this command sends only the captured part"),
                curl.notes());
        assertTrue(curl.text().startsWith("# the request body was truncated"), curl.text());
        assertTrue(curl.text().contains("--data-binary 0123"), curl.text());
    }

    @Test
    void refusesATunnelSayingWhy() {
        Request connect = new Request("CONNECT", "example.com:443", HttpVersion.HTTP_1_1, Headers.of("Host", "example.com:443"), new byte[0]);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CurlCommand.of(connect));

        assertEquals("a CONNECT tunnel to example.com:443 holds no request for curl to send again", e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static byte[] post(String method, String path, String type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = method + " " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.authority() + "\r\n"
                + "User-Agent: test-client/1.0\r\n" + (type == null ? "" : "Content-Type: " + type + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /**
     * Sends {@code request} through wiretap, runs the curl command made from the flow, and checks that the origin
     * received the same thing both times; returns the command.
     */
    private static CurlCommand sendAndRerun(byte[] request) throws Exception {
        return sendAndRerun(request, CurlCommand.Options.STRAIGHT);
    }

    private static CurlCommand sendAndRerun(byte[] request, CurlCommand.Options how) throws Exception {
        assumeTrue(Files.isExecutable(CURL) && Files.isExecutable(BASH), "curl and bash are needed");
        received.clear();
        try (RawClient client = proxy.rawClient()) {
            client.send(request);
            client.readResponse(new String(request, 0, 4, StandardCharsets.US_ASCII).equals("HEAD"));
        }
        Flow flow = proxy.nextFinishedFlow();
        Received first = take();
        CurlCommand curl = CurlCommand.of(flow.request(), how);
        runCurl(curl);
        Received second = take();

        assertEquals(Heads.startLine(first.head()), Heads.startLine(second.head()), curl.text());
        assertEquals(Heads.value(first.head(), "Host"), Heads.value(second.head(), "Host"));
        assertEquals(fields(first.head()), fields(second.head()), curl.text());
        assertArrayEquals(first.body(), second.body(), curl.text());
        return curl;
    }

    /**
     * Runs the command with bash from a script file, as pasting does (one argument to bash -c could not hold the
     * largest bodies), and returns what curl printed; fails unless curl exits 0.
     */
    private static String runCurl(CurlCommand curl) throws Exception {
        Path script = Files.createTempFile("wiretap-curl-", ".sh");
        Files.writeString(script, curl.text().replace("curl ", "curl -sS --max-time 30 ") + "\n");
        Process p = new ProcessBuilder(BASH.toString(), script.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "curl finished");
        Files.delete(script);
        assertEquals(0, p.exitValue(), "exit code " + p.exitValue() + ": " + output + "\ncommand:\n" + curl.text());
        return output;
    }

    private static Received take() throws InterruptedException {
        Received r = received.poll(30, TimeUnit.SECONDS);
        assertTrue(r != null, "the origin received a request");
        return r;
    }

    /** The head's fields in order, less Host (curl puts it first), Content-Length (curl puts it last) and wiretap's Via. */
    private static List<String> fields(String head) {
        List<String> fields = new ArrayList<>(Arrays.asList(head.split("\r\n")));
        fields.remove(0);
        fields.removeIf(f -> {
            String name = f.substring(0, Math.max(0, f.indexOf(':'))).toLowerCase(Locale.ROOT);
            return f.isEmpty() || name.equals("host") || name.equals("content-length") || name.equals("via");
        });
        return fields;
    }
}
