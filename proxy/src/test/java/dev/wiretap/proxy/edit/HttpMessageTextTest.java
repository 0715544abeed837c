package dev.wiretap.proxy.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.BodyEncoder;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.testing.Encodings;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Messages become editor text and come back: unchanged text gives the same message, and every fault names its line. */
class HttpMessageTextTest {

    private static final byte[] JSON_ADA = "{\"user\": {\"name\": \"Ada\"}, \"roles\": [\"admin\"]}".getBytes(StandardCharsets.UTF_8);

    private final HttpMessageText text = new HttpMessageText(Limits.DEFAULTS);

    private static Request request(String method, Destination destination, Headers headers, byte[] body) {
        Request r = new Request(method, destination.pathAndQuery(), HttpVersion.HTTP_1_1, headers, new byte[0]);
        r.setDestination(destination);
        r.setBody(Body.of(body));
        return r;
    }

    private static Response response(int status, String reason, Headers headers, byte[] body) {
        Response r = new Response(HttpVersion.HTTP_1_1, status, reason, headers, new byte[0]);
        r.setBody(Body.of(body));
        return r;
    }

    @Test
    void showsARequestWithItsUrlFieldsInWireOrderAndItsBodyAsText() {
        Request r = request("POST", new Destination("https", "api.example.com", 443, "/v1/items?x=1"),
                Headers.of("Host", "api.example.com", "content-TYPE", "application/json", "Content-Length", "11",
                        "X-Dup", "a", "X-Dup", "b"), "{\"a\": \"b\"}".getBytes(StandardCharsets.UTF_8));

        assertEquals("""
                POST https://api.example.com/v1/items?x=1 HTTP/1.1
                Host: api.example.com
                content-TYPE: application/json
                Content-Length: 11
                X-Dup: a
                X-Dup: b

                {"a": "b"}
                """, text.request(r, true));
    }

    @Test
    void unchangedRequestTextReadsBackAsTheSameRequest() throws Exception {
        byte[] body = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        Request r = request("PUT", new Destination("http", "example.com", 8080, "/a/b"),
                Headers.of("Host", "example.com:8080", "X-Case", "MiXeD", "Content-Length", Integer.toString(body.length)), body);

        EditedRequest edited = text.parseRequest(text.request(r, true));

        assertEquals("PUT", edited.method());
        assertEquals("http://example.com:8080/a/b", edited.target());
        assertEquals(new Destination("http", "example.com", 8080, "/a/b"), edited.destination(null));
        assertEquals(r.headers().toString(), edited.headers().toString());
        assertArrayEquals(body, edited.body().orElseThrow());
    }

    @Test
    void anEditedBodyGetsAContentLengthThatFitsItInPlaceOfTheChunkedFraming() throws Exception {
        EditedRequest edited = text.parseRequest("""
                POST http://example.com/upload HTTP/1.1
                Host: example.com
                Transfer-Encoding: chunked
                X-After: 1

                a much longer body than before
                """);

        assertEquals("Host: example.com\r\nContent-Length: 30\r\nX-After: 1\r\n", edited.headers().toString());
        assertEquals("a much longer body than before", new String(edited.body().orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void linesMayEndInCrlfAndTheBodyKeepsItsOwnLineEnds() throws Exception {
        EditedRequest edited = text.parseRequest("POST /x HTTP/1.1\r\nHost: h\r\n\r\na\r\nb\r\n");

        assertEquals("/x", edited.target());
        assertEquals(new Destination("https", "h", 8443, "/x"), edited.destination(new Destination("https", "h", 8443, "/old")));
        assertEquals("a\r\nb", new String(edited.body().orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void aBinaryBodyIsAPlaceholderThatKeepsItWhenLeftAndEmptiesItWhenDeleted() throws Exception {
        byte[] binary = {0, 1, 2, (byte) 0xFF, 10};
        Request r = request("POST", new Destination("http", "h", 80, "/bin"),
                Headers.of("Host", "h", "Content-Type", "application/octet-stream", "Content-Length", "5"), binary);
        String shown = text.request(r, true);
        assertTrue(shown.contains("[[wiretap: binary body of 5 bytes"), shown);

        assertTrue(text.parseRequest(shown).body().isEmpty(), "the placeholder keeps the body");
        assertEquals("Content-Length: 5", text.parseRequest(shown).headers().toString().lines().toList().get(2));
        String deleted = shown.substring(0, shown.indexOf("[[wiretap"));
        EditedRequest emptied = text.parseRequest(deleted);
        assertArrayEquals(new byte[0], emptied.body().orElseThrow());
        assertTrue(emptied.headers().toString().contains("Content-Length: 0\r\n"));
    }

    @Test
    void aCompressedBodyThatDoesNotDecodeOrOneNotHeldWholeIsAPlaceholderToo() {
        Response gz = response(200, "OK", Headers.of("Content-Encoding", "gzip", "Content-Length", "3"), "abc".getBytes(StandardCharsets.UTF_8));
        assertTrue(text.response(gz, true).contains("[[wiretap: gzip-encoded body of 3 bytes that wiretap cannot decode (the data is corrupt)"),
                text.response(gz, true));

        Response big = response(200, "OK", Headers.of("Transfer-Encoding", "chunked"), new byte[0]);
        assertTrue(text.response(big, false).contains("not held whole"), text.response(big, false));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "deflate", "br", "zstd", "gzip, br"})
    void aCompressedBodyIsShownDecodedAndEncodedAgainWithTheSameCodingsOnSave(String codings) throws Exception {
        List<String> list = Arrays.stream(codings.split(",")).map(String::strip).toList();
        byte[] compressed = BodyEncoder.encode(list, JSON_ADA);
        Response r = response(200, "OK", Headers.of("Content-Type", "application/json", "Content-Encoding", codings,
                "Content-Length", Integer.toString(compressed.length)), compressed);

        String shown = text.response(r, true);
        assertTrue(shown.endsWith("\n\n" + new String(JSON_ADA, StandardCharsets.UTF_8) + "\n"), shown);
        EditedResponse edited = text.parseResponse(shown.replace("Ada", "Grace"));

        byte[] sent = edited.body().orElseThrow();
        DecodedBody decoded = BodyDecoder.decode(list, sent, false, 1 << 20);
        assertEquals(DecodedBody.Outcome.COMPLETE, decoded.outcome(), decoded.note());
        assertEquals(new String(JSON_ADA, StandardCharsets.UTF_8).replace("Ada", "Grace"), new String(decoded.bytes(), StandardCharsets.UTF_8));
        assertEquals(List.of(codings), edited.headers().all("Content-Encoding"));
        assertEquals(List.of(Integer.toString(sent.length)), edited.headers().all("Content-Length"));
    }

    @Test
    void aBodyWhoseContentEncodingTheUserRemovedIsSentAsEdited() throws Exception {
        byte[] compressed = Encodings.encode("gzip", JSON_ADA);
        Request r = request("POST", new Destination("http", "h", 80, "/users"), Headers.of("Host", "h",
                "Content-Encoding", "gzip", "Content-Length", Integer.toString(compressed.length)), compressed);

        String shown = text.request(r, true);
        EditedRequest removed = text.parseRequest(shown.replace("Content-Encoding: gzip\n", "").replace("Ada", "Grace"));
        EditedRequest identity = text.parseRequest(shown.replace("Content-Encoding: gzip", "Content-Encoding: identity"));

        String grace = new String(JSON_ADA, StandardCharsets.UTF_8).replace("Ada", "Grace");
        assertEquals(grace, new String(removed.body().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals(List.of(Integer.toString(grace.length())), removed.headers().all("Content-Length"));
        assertArrayEquals(JSON_ADA, identity.body().orElseThrow());
    }

    @Test
    void aCodingWiretapCannotApplyIsRefusedAtItsLine() {
        String edited = """
                POST http://h/upload HTTP/1.1
                Host: h
                Content-Encoding: compress

                some text
                """;

        MessageTextException e = assertThrows(MessageTextException.class, () -> text.parseRequest(edited));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("cannot encode a body as 'compress'"), e.getMessage());
    }

    @Test
    void aCompressedBodyCutAtTheCaptureCapSaysItCannotBeDecoded() {
        Response r = response(200, "OK", Headers.of("Content-Encoding", "br", "Transfer-Encoding", "chunked"), new byte[0]);

        assertTrue(text.response(r, false).contains("[[wiretap: br-encoded body not held whole (larger than the capture cap), so it"
                + " cannot be decoded; it goes on as it is and cannot be changed]]"), text.response(r, false));
    }

    @Test
    void aBodyInTheCharsetOfItsContentTypeIsShownAsTextAndWrittenBackInIt() throws Exception {
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        Response r = response(200, "OK", Headers.of("Content-Type", "text/plain; charset=ISO-8859-1", "Content-Length", "4"), latin1);

        String shown = text.response(r, true);
        assertTrue(shown.endsWith("\n\ncaf\u00e9\n"), shown);
        EditedResponse edited = text.parseResponse(shown.replace("caf\u00e9", "d\u00e9j\u00e0"));
        assertArrayEquals("d\u00e9j\u00e0".getBytes(StandardCharsets.ISO_8859_1), edited.body().orElseThrow());
    }

    @Test
    void unchangedResponseTextReadsBackAsTheSameResponse() throws Exception {
        Response r = response(404, "Not Found", Headers.of("Content-Type", "text/plain", "Content-Length", "7"),
                "missing".getBytes(StandardCharsets.UTF_8));

        EditedResponse edited = text.parseResponse(text.response(r, true));

        assertEquals(404, edited.status());
        assertEquals("Not Found", edited.reason());
        assertEquals(r.headers().toString(), edited.headers().toString());
        assertEquals("missing", new String(edited.body().orElseThrow(), StandardCharsets.UTF_8));
    }

    @Test
    void aStatusLineWithoutAReasonIsRead() throws Exception {
        EditedResponse edited = text.parseResponse("HTTP/1.1 204\nX-A: 1\n");

        assertEquals(204, edited.status());
        assertEquals("", edited.reason());
        assertArrayEquals(new byte[0], edited.body().orElseThrow());
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                Arguments.of("", 1, "empty"),
                Arguments.of("GET http://h/\nHost: h\n", 1, "three parts"),
                Arguments.of("GET  http://h/ HTTP/1.1\n", 1, "three parts"),
                Arguments.of("G@T http://h/ HTTP/1.1\n", 1, "not a valid method"),
                Arguments.of("GET http://h/ HTTP/2\n", 1, "HTTP/1.1, HTTP/1.0 or HTTP/2.0"),
                Arguments.of("GET http://h/a b HTTP/1.1\n", 1, "three parts"),
                Arguments.of("GET http://h/caf\u00e9 HTTP/1.1\n", 1, "non-ASCII character at 13"),
                Arguments.of("GET ftp://h/ HTTP/1.1\n", 1, "unsupported URL scheme"),
                Arguments.of("CONNECT h:443 HTTP/1.1\n", 1, "CONNECT"),
                Arguments.of("GET http://h/ HTTP/1.1\nHost: h\n folded\n", 3, "folded"),
                Arguments.of("GET http://h/ HTTP/1.1\nHost: h\nno colon here\n", 3, "is not a field"),
                Arguments.of("GET http://h/ HTTP/1.1\nBad Name: x\n", 2, "not a valid field name (character 4 is a space)"),
                Arguments.of("GET http://h/ HTTP/1.1\n: x\n", 2, "no name"),
                Arguments.of("GET http://h/ HTTP/1.1\nX: a\u0001b\n", 2, "control or non-Latin-1 character at 2"),
                Arguments.of("GET http://h/ HTTP/1.1\nX: \u20ac\n", 2, "non-Latin-1"),
                Arguments.of("GET http://h/ HTTP/1.1\nHost: a\nX: y\nhost: b\n", 4, "a second Host field (line 2 has one)"),
                Arguments.of("POST http://h/ HTTP/1.1\nContent-Type: text/plain; charset=US-ASCII\n\ncaf\u00e9\n", 4,
                        "US-ASCII"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void aFaultyRequestIsRefusedNamingTheLineAndTheFault(String edited, int line, String reason) {
        MessageTextException e = assertThrows(MessageTextException.class, () -> text.parseRequest(edited));

        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
        assertEquals("line " + line + ": " + e.reason(), e.getMessage());
    }

    static Stream<Arguments> badResponses() {
        return Stream.of(
                Arguments.of("200 OK\n", 1, "status line like"),
                Arguments.of("HTTP/1.1 20 OK\n", 1, "three digits"),
                Arguments.of("HTTP/1.1 2000 OK\n", 1, "three digits"),
                Arguments.of("HTTP/1.1 099 OK\n", 1, "not a status"),
                Arguments.of("HTTP/3 200 OK\n", 1, "HTTP/1.1, HTTP/1.0 or HTTP/2.0"),
                Arguments.of("HTTP/1.1 200 O\u0007K\n", 1, "reason phrase"),
                Arguments.of("HTTP/1.1 200 OK\nContent-Type text/plain\n\nbody\n", 2, "is not a field"));
    }

    @ParameterizedTest
    @MethodSource("badResponses")
    void aFaultyResponseIsRefusedNamingTheLineAndTheFault(String edited, int line, String reason) {
        MessageTextException e = assertThrows(MessageTextException.class, () -> text.parseResponse(edited));

        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.reason().contains(reason), e.getMessage());
    }

    @Test
    void aHeadOverTheProxysLimitsIsRefusedByTheCodec() {
        HttpMessageText small = new HttpMessageText(new Limits(64, 128, 200, 32));
        String edited = "GET http://h/ HTTP/1.1\nX-Long: " + "a".repeat(200) + "\n";

        MessageTextException e = assertThrows(MessageTextException.class, () -> small.parseRequest(edited));

        assertEquals(0, e.line());
        assertTrue(e.getMessage().contains("128"), e.getMessage());
        assertFalse(e.getMessage().startsWith("line"), e.getMessage());
    }

    /** Found by MessageTextFuzzTest: an empty response (every line deleted in the editor) threw IndexOutOfBoundsException. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "\n", "\r\n\r\n"})
    void refusesAnEmptyResponseWithItsLine(String edited) {
        MessageTextException e = assertThrows(MessageTextException.class, () -> text.parseResponse(edited));
        assertEquals(1, e.line());
        assertTrue(e.reason().contains("the message is empty"), e.reason());
    }
}
