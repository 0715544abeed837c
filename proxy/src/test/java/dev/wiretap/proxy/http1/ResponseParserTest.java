package dev.wiretap.proxy.http1;

import static dev.wiretap.proxy.http1.Delivery.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.config.Limits;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.http1.ResponseParser.NoResponseException;
import java.io.EOFException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResponseParserTest {

    private static final Limits SMALL = new Limits(64, 512, 8, 32);

    private static Response parse(Delivery delivery, String wire) throws Exception {
        return new ResponseParser(Limits.DEFAULTS).read(delivery.input(wire));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAStatusLineWithAReasonAndKeepsTheHeadByteForByte(Delivery delivery) throws Exception {
        String wire = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nX-A:  b \r\n\r\n";

        Response response = parse(delivery, wire);

        assertEquals(HttpVersion.HTTP_1_1, response.version());
        assertEquals(404, response.status());
        assertEquals("Not Found", response.reason());
        assertEquals("Content-Length: 0\r\nX-A: b\r\n", response.headers().toString());
        assertEquals(wire, text(response.wireHead()));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void acceptsAnEmptyReasonWithOrWithoutItsSpace(Delivery delivery) throws Exception {
        Response withSpace = parse(delivery, "HTTP/1.1 200 \r\n\r\n");
        Response withoutSpace = parse(delivery, "HTTP/1.1 200\r\n\r\n");

        assertEquals(200, withSpace.status());
        assertEquals("", withSpace.reason());
        assertEquals(200, withoutSpace.status());
        assertEquals("", withoutSpace.reason());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void keepsAReasonWithSpacesTabsAndObsText(Delivery delivery) throws Exception {
        assertEquals("I'm a\tteapot \u00e9", parse(delivery, "HTTP/1.1 418 I'm a\tteapot \u00e9\r\n\r\n").reason());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAnHttp10ResponseAndServesHigherMinorsAs11(Delivery delivery) throws Exception {
        assertEquals(HttpVersion.HTTP_1_0, parse(delivery, "HTTP/1.0 200 OK\r\n\r\n").version());
        assertEquals(HttpVersion.HTTP_1_1, parse(delivery, "HTTP/1.2 200 OK\r\n\r\n").version());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void skipsAStrayEmptyLineBeforeTheStatusLine(Delivery delivery) throws Exception {
        assertEquals(204, parse(delivery, "\r\nHTTP/1.1 204 No Content\r\n\r\n").status());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void readsAnInterimResponseThenTheFinalOneFromTheSameInput(Delivery delivery) throws Exception {
        HttpInput in = delivery.input("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nLocation: /x\r\n\r\n");
        ResponseParser parser = new ResponseParser(Limits.DEFAULTS);

        assertEquals(100, parser.read(in).status());
        Response last = parser.read(in);

        assertEquals(201, last.status());
        assertEquals("/x", last.headers().first("Location").orElseThrow());
        assertEquals(0, in.buffered());
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void saysNoResponseWhenTheOriginClosesBeforeAnyByte(Delivery delivery) {
        assertThrows(NoResponseException.class, () -> parse(delivery, ""));
    }

    @ParameterizedTest
    @EnumSource(Delivery.class)
    void throwsAPlainEofWhenTheOriginClosesInsideAHead(Delivery delivery) {
        EOFException e = assertThrows(EOFException.class, () -> parse(delivery, "HTTP/1.1 200 OK\r\nContent-"));
        assertTrue(!(e instanceof NoResponseException), "a half-sent head is not a stale connection");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedHeads")
    void refusesMalformedHeadsWith502(String why, String wire) {
        for (Delivery delivery : Delivery.values()) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> new ResponseParser(SMALL).read(delivery.input(wire)), why + " via " + delivery);
            assertEquals(502, e.status(), why + " via " + delivery + ": " + e.reason());
        }
    }

    static Stream<Arguments> rejectedHeads() {
        return Stream.of(
                Arguments.of("lowercase version", "http/1.1 200 OK\r\n\r\n"),
                Arguments.of("HTTP/2 without minor", "HTTP/2 200 OK\r\n\r\n"),
                Arguments.of("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n"),
                Arguments.of("HTTP/0.9", "HTTP/0.9 200 OK\r\n\r\n"),
                Arguments.of("not HTTP at all", "SSH-2.0-OpenSSH_9.6\r\n\r\n"),
                Arguments.of("two spaces before the status", "HTTP/1.1  200 OK\r\n\r\n"),
                Arguments.of("two-digit status", "HTTP/1.1 20 OK\r\n\r\n"),
                Arguments.of("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n"),
                Arguments.of("non-digit status", "HTTP/1.1 2x0 OK\r\n\r\n"),
                Arguments.of("status starting with zero", "HTTP/1.1 099 OK\r\n\r\n"),
                Arguments.of("tab after the status", "HTTP/1.1 200\tOK\r\n\r\n"),
                Arguments.of("control byte in the reason", "HTTP/1.1 200 O\u0001K\r\n\r\n"),
                Arguments.of("NUL in the reason", "HTTP/1.1 200 O\u0000K\r\n\r\n"),
                Arguments.of("bare LF after the status line", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"),
                Arguments.of("bare LF after a field line", "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n"),
                Arguments.of("bare CR in the reason", "HTTP/1.1 200 O\rK\r\n\r\n"),
                Arguments.of("bare CR in a field value", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n"),
                Arguments.of("obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"),
                Arguments.of("whitespace before the colon", "HTTP/1.1 200 OK\r\nX : a\r\n\r\n"),
                Arguments.of("NUL in a field value", "HTTP/1.1 200 OK\r\nX: a\u0000\r\n\r\n"),
                Arguments.of("nine empty lines before the status line", "\r\n".repeat(9) + "HTTP/1.1 200 OK\r\n\r\n"),
                Arguments.of("head over maxHeaderBytes", "HTTP/1.1 200 OK\r\nX: " + "a".repeat(600) + "\r\n\r\n"),
                Arguments.of("head that never ends", "HTTP/1.1 200 OK\r\nX: " + "a".repeat(600)),
                Arguments.of("more than maxHeaderCount fields", "HTTP/1.1 200 OK\r\n" + "F: v\r\n".repeat(9) + "\r\n"),
                Arguments.of("status line that never ends", "HTTP/1.1 200 " + "x".repeat(9000)));
    }
}
