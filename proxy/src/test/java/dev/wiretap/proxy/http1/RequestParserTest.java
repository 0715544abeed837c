package dev.wiretap.proxy.http1;

import static dev.wiretap.proxy.http1.Delivery.bytes;
import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {

    /** Small enough that tests can cross every limit: 64-byte target, 512-byte head, 8 fields. */
    private static final Limits SMALL = new Limits(64, 512, 8, 32);

    private static Request parse(Delivery delivery, String wire) throws Exception {
        return new RequestParser(Limits.DEFAULTS).read(delivery.input(wire)).orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAnOriginFormRequestAndKeepsItsHeadByteForByte(Delivery delivery) throws Exception {
        String wire = "GET /search?q=a%20b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";

        Request request = parse(delivery, wire);

        assertEquals("GET", request.method());
        assertEquals("/search?q=a%20b", request.target());
        assertEquals(HttpVersion.HTTP_1_1, request.version());
        assertEquals("Host: example.com\r\nAccept: */*\r\n", request.headers().toString());
        assertEquals(wire, text(request.wireHead()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAnAbsoluteFormTarget(Delivery delivery) throws Exception {
        Request request = parse(delivery, "POST http://example.com:8080/upload?x=1 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");

        assertEquals("POST", request.method());
        assertEquals("http://example.com:8080/upload?x=1", request.target());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAConnectRequestInAuthorityForm(Delivery delivery) throws Exception {
        Request request = parse(delivery, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");

        assertEquals("CONNECT", request.method());
        assertEquals("example.com:443", request.target());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsOptionsWithTheAsteriskTarget(Delivery delivery) throws Exception {
        Request request = parse(delivery, "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n");

        assertEquals("OPTIONS", request.method());
        assertEquals("*", request.target());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAnHttp10RequestWithoutFields(Delivery delivery) throws Exception {
        Request request = parse(delivery, "GET / HTTP/1.0\r\n\r\n");

        assertEquals(HttpVersion.HTTP_1_0, request.version());
        assertTrue(request.headers().isEmpty());
        assertEquals("GET / HTTP/1.0\r\n\r\n", text(request.wireHead()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void servesAHigherMinorVersionAsHttp11(Delivery delivery) throws Exception {
        assertEquals(HttpVersion.HTTP_1_1, parse(delivery, "GET / HTTP/1.2\r\nHost: a\r\n\r\n").version());
        assertEquals(HttpVersion.HTTP_1_1, parse(delivery, "GET / HTTP/1.9\r\nHost: a\r\n\r\n").version());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void keepsTheCaseOfMethodsAndSharesTheCommonOnes(Delivery delivery) throws Exception {
        assertEquals("PURGE", parse(delivery, "PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n").method());
        assertEquals("get", parse(delivery, "get /x HTTP/1.1\r\nHost: a\r\n\r\n").method());
        assertSame("DELETE", parse(delivery, "DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n").method(),
                "a common method is the shared constant, not a new string");
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void ignoresEmptyLinesBeforeTheRequestLineAndLeavesThemOutOfTheWireHead(Delivery delivery) throws Exception {
        Request request = parse(delivery, "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");

        assertEquals("GET", request.method());
        assertEquals("GET / HTTP/1.1\r\nHost: a\r\n\r\n", text(request.wireHead()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void keepsNameCaseDuplicatesAndOrder(Delivery delivery) throws Exception {
        Headers h = parse(delivery, "GET / HTTP/1.1\r\nhost: a\r\nX-Trace: 1\r\nACCEPT: text/html\r\nx-trace: 2\r\n"
                + "X-TRACE: 3\r\n\r\n").headers();

        assertEquals(5, h.size());
        assertEquals(List.of("host", "X-Trace", "ACCEPT", "x-trace", "X-TRACE"),
                List.of(h.name(0), h.name(1), h.name(2), h.name(3), h.name(4)));
        assertEquals(List.of("1", "2", "3"), h.all("X-Trace"));
        assertEquals(3, h.count("x-TRACE"));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void trimsOptionalWhitespaceAroundValuesButKeepsTheRawLine(Delivery delivery) throws Exception {
        Headers h = parse(delivery, "GET / HTTP/1.1\r\nHost:a\r\nX-A: \t spaced  out \t \r\nX-Empty:\r\nX-Blank:   \r\n\r\n")
                .headers();

        assertEquals("a", h.value(0));
        assertEquals("spaced  out", h.value(1));
        assertEquals("X-A: \t spaced  out \t ", text(h.rawLine(1)));
        assertEquals("", h.value(2));
        assertEquals("", h.value(3));
        assertEquals("X-Blank:   ", text(h.rawLine(3)));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void keepsTheWireHeadAsReceivedWhenTheFieldsAreChanged(Delivery delivery) throws Exception {
        String wire = "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1\r\nAccept: */*\r\n\r\n";
        Request request = parse(delivery, wire);

        request.headers().set("Host", "b");
        request.headers().removeAll("Cookie");
        request.headers().add("X-Added", "1");
        request.headers().removeAt(1);

        assertEquals(wire, text(request.wireHead()));
        assertEquals("Host: b\r\nX-Added: 1\r\n", request.headers().toString());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void allowsObsTextBytesInValues(Delivery delivery) throws Exception {
        Request request = parse(delivery, "GET / HTTP/1.1\r\nHost: a\r\nX-Name: Jos\u00e9 \u00ff\u0080\r\n\r\n");

        assertEquals("Jos\u00e9 \u00ff\u0080", request.headers().value(1));
        assertArrayEquals(bytes("X-Name: Jos\u00e9 \u00ff\u0080"), request.headers().rawLine(1));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsPipelinedRequestsOneAfterAnotherLeavingTheBodyUnread(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        RequestParser parser = new RequestParser(Limits.DEFAULTS);

        Request first = parser.read(in).orElseThrow();
        byte[] body = new byte[5];
        for (int i = 0; i < 5; i++) {
            body[i] = (byte) in.read();
        }
        Request second = parser.read(in).orElseThrow();

        assertEquals("/a", first.target());
        assertEquals("hello", text(body));
        assertEquals("/b", second.target());
        assertEquals(Optional.empty(), parser.read(in));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsATargetAndAFieldCountExactlyAtTheirLimits(Delivery delivery) throws Exception {
        StringBuilder wire = new StringBuilder("GET /").append("a".repeat(63)).append(" HTTP/1.1\r\n");
        for (int i = 0; i < 8; i++) {
            wire.append("F").append(i).append(": v\r\n");
        }
        Request request = new RequestParser(SMALL).read(delivery.input(wire.append("\r\n").toString())).orElseThrow();

        assertEquals(64, request.target().length());
        assertEquals(8, request.headers().size());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsAHeadOfExactlyMaxHeaderBytes(Delivery delivery) throws Exception {
        String start = "GET / HTTP/1.1\r\nX: ";
        String wire = start + "a".repeat(512 - start.length() - 4) + "\r\n\r\n";

        Request request = new RequestParser(SMALL).read(delivery.input(wire)).orElseThrow();

        assertEquals(512, request.wireHead().length);
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void returnsEmptyWhenTheStreamEndsBeforeARequest(Delivery delivery) throws Exception {
        RequestParser parser = new RequestParser(Limits.DEFAULTS);

        assertEquals(Optional.empty(), parser.read(delivery.input("")));
        assertEquals(Optional.empty(), parser.read(delivery.input("\r\n")));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void throwsEofWhenTheStreamEndsInsideAHead(Delivery delivery) {
        RequestParser parser = new RequestParser(Limits.DEFAULTS);

        assertThrows(EOFException.class, () -> parser.read(delivery.input("GE")));
        assertThrows(EOFException.class, () -> parser.read(delivery.input("GET / HTTP/1.1\r\n")));
        assertThrows(EOFException.class, () -> parser.read(delivery.input("GET / HTTP/1.1\r\nHost: a\r\n\r")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedHeads")
    void refusesMalformedOrOversizedHeadsWithTheirStatus(String why, String wire, int status) {
        for (Delivery delivery : Delivery.values()) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new RequestParser(SMALL).read(delivery.input(wire)), why + " via " + delivery);
            assertEquals(status, e.status(), why + " via " + delivery + ": " + e.reason());
            assertFalse(e.isConnectionReusable());
        }
    }

    static Stream<Arguments> rejectedHeads() {
        String ok = "GET / HTTP/1.1\r\n";
        return Stream.of(
                Arguments.of("bare LF ending the request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400),
                Arguments.of("bare LF ending a field line", ok + "Host: a\n\r\n", 400),
                Arguments.of("bare LF as the empty line", ok + "Host: a\r\n\n", 400),
                Arguments.of("bare LF as a leading empty line", "\nGET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("bare CR inside the request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400),
                Arguments.of("bare CR after the version", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400),
                Arguments.of("bare CR inside a field value", ok + "X: a\rb\r\n\r\n", 400),
                Arguments.of("bare CR ending a field value", ok + "X: a\r\r\n\r\n", 400),
                Arguments.of("bare CR starting a field line", ok + "\rX: a\r\n\r\n", 400),
                Arguments.of("NUL in a field value", ok + "X: a\u0000b\r\n\r\n", 400),
                Arguments.of("SOH in a field value", ok + "X: a\u0001b\r\n\r\n", 400),
                Arguments.of("ESC in a field value", ok + "X: a\u001bb\r\n\r\n", 400),
                Arguments.of("vertical tab in a field value", ok + "X: a\u000bb\r\n\r\n", 400),
                Arguments.of("form feed in a field value", ok + "X: a\u000cb\r\n\r\n", 400),
                Arguments.of("DEL in a field value", ok + "X: a\u007fb\r\n\r\n", 400),
                Arguments.of("obs-fold", ok + "X: a\r\n b\r\n\r\n", 400),
                Arguments.of("obs-fold with a tab", ok + "X: a\r\n\tb\r\n\r\n", 400),
                Arguments.of("first field line starting with whitespace", ok + " Host: a\r\n\r\n", 400),
                Arguments.of("space before the colon", ok + "Host : a\r\n\r\n", 400),
                Arguments.of("tab before the colon", ok + "Host\t: a\r\n\r\n", 400),
                Arguments.of("empty field name", ok + ": a\r\n\r\n", 400),
                Arguments.of("field line without a colon", ok + "Host\r\n\r\n", 400),
                Arguments.of("parenthesis in a field name", ok + "Ho(st: a\r\n\r\n", 400),
                Arguments.of("non-ASCII byte in a field name", ok + "H\u00e9: a\r\n\r\n", 400),
                Arguments.of("no method", " / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("invalid character in the method", "GE(T / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("two spaces after the method", "GET  / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("two spaces before the version", "GET /  HTTP/1.1\r\n\r\n", 400),
                Arguments.of("tab after the method", "GET\t/ HTTP/1.1\r\n\r\n", 400),
                Arguments.of("tab before the version", "GET /\tHTTP/1.1\r\n\r\n", 400),
                Arguments.of("space inside the target", "GET /a b HTTP/1.1\r\n\r\n", 400),
                Arguments.of("missing version", "GET /\r\n\r\n", 400),
                Arguments.of("space but no version", "GET / \r\n\r\n", 400),
                Arguments.of("method alone", "GET\r\n\r\n", 400),
                Arguments.of("lowercase version", "GET / http/1.1\r\n\r\n", 400),
                Arguments.of("version without minor", "GET / HTTP/1\r\n\r\n", 400),
                Arguments.of("two-digit minor version", "GET / HTTP/1.10\r\n\r\n", 400),
                Arguments.of("junk after the version", "GET / HTTP/1.1x\r\n\r\n", 400),
                Arguments.of("space after the version", "GET / HTTP/1.1 \r\n\r\n", 400),
                Arguments.of("non-ASCII byte in the target", "GET /caf\u00e9 HTTP/1.1\r\n\r\n", 400),
                Arguments.of("control byte in the target", "GET /a\u0001b HTTP/1.1\r\n\r\n", 400),
                Arguments.of("DEL in the target", "GET /a\u007fb HTTP/1.1\r\n\r\n", 400),
                Arguments.of("too many leading empty lines", "\r\n".repeat(9) + ok + "\r\n", 400),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 505),
                Arguments.of("HTTP/3.0", "GET / HTTP/3.0\r\n\r\n", 505),
                Arguments.of("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505),
                Arguments.of("target one byte over the limit", "GET /" + "a".repeat(64) + " HTTP/1.1\r\n\r\n", 414),
                Arguments.of("long target on a line that never ends", "GET /" + "a".repeat(300), 414),
                Arguments.of("request line over the limit because of a long method",
                        "M".repeat(200) + " / HTTP/1.1\r\n\r\n", 414),
                Arguments.of("complete head over maxHeaderBytes", ok + "X: " + "a".repeat(600) + "\r\n\r\n", 431),
                Arguments.of("head one byte over maxHeaderBytes", ok + "X: " + "a".repeat(512 - 16 - 4 - 3 + 1) + "\r\n\r\n", 431),
                Arguments.of("head that never ends", ok + "X: " + "a".repeat(600), 431),
                // Found by RequestStreamFuzzTest: read all at once, these were 400s for the bare LF past the limit.
                Arguments.of("request line over the limit, ending in a bare LF", "GET /" + "a".repeat(300) + " HTTP/1.1\n\r\n", 414),
                Arguments.of("head over maxHeaderBytes, its line ending in a bare LF", ok + "X: " + "a".repeat(600) + "\n\r\n", 431),
                Arguments.of("more than maxHeaderCount fields", ok + "F: v\r\n".repeat(9) + "\r\n", 431));
    }
}
