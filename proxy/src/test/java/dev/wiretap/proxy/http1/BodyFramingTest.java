package dev.wiretap.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BodyFramingTest {

    private static final BodyFraming.Fixed FIVE = new BodyFraming.Fixed(5);

    private static Request request(String version, String fields) throws Exception {
        String wire = "POST / " + version + "\r\nHost: a\r\n" + fields + "\r\n";
        return new RequestParser(Limits.DEFAULTS).read(Delivery.WHOLE.input(wire)).orElseThrow();
    }

    private static Response response(String statusLine, String fields) throws Exception {
        return new ResponseParser(Limits.DEFAULTS).read(Delivery.WHOLE.input(statusLine + "\r\n" + fields + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestFramings")
    void decidesTheFramingOfARequest(String why, String version, String fields, Object expected) throws Exception {
        Request request = request(version, fields);
        if (expected instanceof Integer status) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> BodyFraming.ofRequest(request));
            assertEquals(status, e.status(), e.reason());
        } else {
            assertEquals(expected, BodyFraming.ofRequest(request));
        }
    }

    static Stream<Arguments> requestFramings() {
        return Stream.of(
                Arguments.of("no framing fields", "HTTP/1.1", "", BodyFraming.NONE),
                Arguments.of("Content-Length", "HTTP/1.1", "Content-Length: 5\r\n", FIVE),
                Arguments.of("Content-Length in HTTP/1.0", "HTTP/1.0", "Content-Length: 5\r\n", FIVE),
                Arguments.of("Content-Length 0", "HTTP/1.1", "Content-Length: 0\r\n", BodyFraming.NONE),
                Arguments.of("Content-Length with leading zeros", "HTTP/1.1", "Content-Length: 005\r\n", FIVE),
                Arguments.of("18-digit Content-Length", "HTTP/1.1", "Content-Length: 999999999999999999\r\n",
                        new BodyFraming.Fixed(999_999_999_999_999_999L)),
                Arguments.of("identical Content-Length fields", "HTTP/1.1", "Content-Length: 5\r\nContent-Length: 5\r\n", FIVE),
                Arguments.of("identical Content-Length list", "HTTP/1.1", "Content-Length: 5, 5\r\n", FIVE),
                Arguments.of("chunked", "HTTP/1.1", "Transfer-Encoding: chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("chunked in any case", "HTTP/1.1", "transfer-encoding: Chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("gzip then chunked", "HTTP/1.1", "Transfer-Encoding: gzip, chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("gzip then chunked in two fields", "HTTP/1.1",
                        "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("empty list elements ignored (RFC 9110 5.6.1)", "HTTP/1.1",
                        "Transfer-Encoding: , gzip,, chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("Transfer-Encoding and Content-Length", "HTTP/1.1",
                        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400),
                Arguments.of("Content-Length and Transfer-Encoding", "HTTP/1.1",
                        "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400),
                Arguments.of("Transfer-Encoding in HTTP/1.0", "HTTP/1.0", "Transfer-Encoding: chunked\r\n", 400),
                Arguments.of("chunked not last", "HTTP/1.1", "Transfer-Encoding: chunked, gzip\r\n", 400),
                Arguments.of("chunked not last across fields", "HTTP/1.1",
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", 400),
                Arguments.of("no chunked at all", "HTTP/1.1", "Transfer-Encoding: gzip\r\n", 400),
                Arguments.of("empty Transfer-Encoding", "HTTP/1.1", "Transfer-Encoding: \r\n", 400),
                Arguments.of("chunked twice", "HTTP/1.1", "Transfer-Encoding: chunked, chunked\r\n", 400),
                Arguments.of("chunked twice in two fields", "HTTP/1.1",
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400),
                Arguments.of("unknown coding before chunked", "HTTP/1.1", "Transfer-Encoding: foo, chunked\r\n", 501),
                Arguments.of("unknown coding alone", "HTTP/1.1", "Transfer-Encoding: foo\r\n", 501),
                Arguments.of("chunked with a parameter (RFC 9112 7.1)", "HTTP/1.1", "Transfer-Encoding: chunked;foo=bar\r\n", 400),
                Arguments.of("chunked with a spaced parameter", "HTTP/1.1", "Transfer-Encoding: chunked ; foo=bar\r\n", 400),
                Arguments.of("a parameter on the coding before chunked", "HTTP/1.1",
                        "Transfer-Encoding: gzip;level=9, chunked\r\n", 400),
                Arguments.of("chunked in quotes", "HTTP/1.1", "Transfer-Encoding: \"chunked\"\r\n", 400),
                Arguments.of("two codings without a comma", "HTTP/1.1", "Transfer-Encoding: gzip chunked\r\n", 400),
                Arguments.of("differing Content-Length fields", "HTTP/1.1",
                        "Content-Length: 5\r\nContent-Length: 6\r\n", 400),
                Arguments.of("differing Content-Length list", "HTTP/1.1", "Content-Length: 5, 6\r\n", 400),
                Arguments.of("non-digit Content-Length", "HTTP/1.1", "Content-Length: abc\r\n", 400),
                Arguments.of("hex Content-Length", "HTTP/1.1", "Content-Length: 0x10\r\n", 400),
                Arguments.of("Content-Length with a plus", "HTTP/1.1", "Content-Length: +5\r\n", 400),
                Arguments.of("negative Content-Length", "HTTP/1.1", "Content-Length: -1\r\n", 400),
                Arguments.of("empty Content-Length", "HTTP/1.1", "Content-Length: \r\n", 400),
                Arguments.of("Content-Length with inner space", "HTTP/1.1", "Content-Length: 5 5\r\n", 400),
                Arguments.of("Content-Length list with an empty element", "HTTP/1.1", "Content-Length: 5,\r\n", 400),
                Arguments.of("19-digit Content-Length (overflows)", "HTTP/1.1",
                        "Content-Length: 9999999999999999999\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseFramings")
    void decidesTheFramingOfAResponse(String why, String method, String statusLine, String fields, Object expected)
            throws Exception {
        Response response = response(statusLine, fields);
        if (expected instanceof Integer status) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> BodyFraming.ofResponse(method, response));
            assertEquals(status, e.status(), e.reason());
        } else {
            assertEquals(expected, BodyFraming.ofResponse(method, response));
        }
    }

    static Stream<Arguments> responseFramings() {
        String ok = "HTTP/1.1 200 OK";
        return Stream.of(
                Arguments.of("Content-Length", "GET", ok, "Content-Length: 5\r\n", FIVE),
                Arguments.of("Content-Length 0", "GET", ok, "Content-Length: 0\r\n", BodyFraming.NONE),
                Arguments.of("identical Content-Length list", "GET", ok, "Content-Length: 5, 5\r\n", FIVE),
                Arguments.of("identical Content-Length fields", "GET", ok, "Content-Length: 5\r\nContent-Length: 5\r\n", FIVE),
                Arguments.of("chunked", "GET", ok, "Transfer-Encoding: chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("gzip then chunked", "GET", ok, "Transfer-Encoding: gzip, chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("unknown coding then chunked: still chunked (RFC 9112 6.3)", "GET", ok,
                        "Transfer-Encoding: foo, chunked\r\n", BodyFraming.CHUNKED),
                Arguments.of("no framing fields: until close", "GET", ok, "", BodyFraming.UNTIL_CLOSE),
                Arguments.of("HTTP/1.0 without framing fields", "GET", "HTTP/1.0 200 OK", "", BodyFraming.UNTIL_CLOSE),
                Arguments.of("chunked not last: until close", "GET", ok, "Transfer-Encoding: chunked, gzip\r\n",
                        BodyFraming.UNTIL_CLOSE),
                Arguments.of("no chunked: until close", "GET", ok, "Transfer-Encoding: gzip\r\n", BodyFraming.UNTIL_CLOSE),
                Arguments.of("response to HEAD", "HEAD", ok, "Content-Length: 5\r\n", BodyFraming.NONE),
                Arguments.of("chunked response to HEAD", "HEAD", ok, "Transfer-Encoding: chunked\r\n", BodyFraming.NONE),
                Arguments.of("100 Continue", "POST", "HTTP/1.1 100 Continue", "", BodyFraming.NONE),
                Arguments.of("101 Switching Protocols", "GET", "HTTP/1.1 101 Switching Protocols", "Upgrade: websocket\r\n",
                        BodyFraming.NONE),
                Arguments.of("103 Early Hints", "GET", "HTTP/1.1 103 Early Hints", "Link: </a.css>\r\n", BodyFraming.NONE),
                Arguments.of("204 with a Content-Length", "GET", "HTTP/1.1 204 No Content", "Content-Length: 5\r\n",
                        BodyFraming.NONE),
                Arguments.of("304 with a Content-Length", "GET", "HTTP/1.1 304 Not Modified", "Content-Length: 5\r\n",
                        BodyFraming.NONE),
                Arguments.of("Transfer-Encoding and Content-Length", "GET", ok,
                        "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 502),
                Arguments.of("chunked twice", "GET", ok, "Transfer-Encoding: chunked, chunked\r\n", 502),
                Arguments.of("chunked twice in two fields", "GET", ok,
                        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 502),
                Arguments.of("Transfer-Encoding in HTTP/1.0", "GET", "HTTP/1.0 200 OK", "Transfer-Encoding: chunked\r\n", 502),
                Arguments.of("chunked with a parameter", "GET", ok, "Transfer-Encoding: chunked;foo=bar\r\n", 502),
                Arguments.of("a parameter on the coding before chunked", "GET", ok,
                        "Transfer-Encoding: gzip;q=1, chunked\r\n", 502),
                Arguments.of("empty list elements around chunked", "GET", ok, "Transfer-Encoding: ,chunked,\r\n",
                        BodyFraming.CHUNKED),
                Arguments.of("differing Content-Length", "GET", ok, "Content-Length: 5\r\nContent-Length: 6\r\n", 502),
                Arguments.of("non-digit Content-Length", "GET", ok, "Content-Length: five\r\n", 502),
                Arguments.of("negative Content-Length", "GET", ok, "Content-Length: -1\r\n", 502),
                Arguments.of("19-digit Content-Length", "GET", ok, "Content-Length: 9999999999999999999\r\n", 502));
    }

    @Test
    void onlyAnUntilCloseBodyLeavesTheConnectionUnusable() {
        assertTrue(BodyFraming.NONE.isSelfDelimited());
        assertTrue(FIVE.isSelfDelimited());
        assertTrue(BodyFraming.CHUNKED.isSelfDelimited());
        assertFalse(BodyFraming.UNTIL_CLOSE.isSelfDelimited());
    }
}
