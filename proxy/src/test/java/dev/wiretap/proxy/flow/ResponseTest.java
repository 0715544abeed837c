package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseTest {

    private static Response response(int status, String reason) {
        return new Response(HttpVersion.HTTP_1_1, status, reason, new Headers(), new byte[0]);
    }

    @Test
    void takesANewStatusAndReason() {
        Response response = response(200, "OK");

        response.setStatus(418, "I'm a\tteapot \u00e9");

        assertEquals(418, response.status());
        assertEquals("I'm a\tteapot \u00e9", response.reason());
        assertEquals("HTTP/1.1 418 I'm a\tteapot \u00e9", response.toString());
    }

    @Test
    void takesAnEmptyReason() {
        assertEquals("", response(204, "").reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"OK\r\nSet-Cookie: session=stolen", "OK\n", "O\rK", "O\u0000K", "O\u007fK", "snow\u2603"})
    void refusesReasonsThatCouldBreakTheStatusLine(String reason) {
        Response response = response(200, "OK");

        assertThrows(IllegalArgumentException.class, () -> response.setStatus(403, reason));
        assertThrows(IllegalArgumentException.class, () -> response(403, reason));
        assertEquals(200, response.status());
        assertEquals("OK", response.reason());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 42, 99, 1000})
    void refusesStatusCodesThatAreNotThreeDigits(int status) {
        Response response = response(200, "OK");

        assertThrows(IllegalArgumentException.class, () -> response.setStatus(status, "X"));
        assertThrows(IllegalArgumentException.class, () -> response(status, "X"));
        assertEquals(200, response.status());
    }
}
