package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTest {

    private static Request request(String method, String target) {
        return new Request(method, target, HttpVersion.HTTP_1_1, new Headers(), new byte[0]);
    }

    @Test
    void showsTheRawTargetUntilTheDestinationIsKnown() {
        Request request = request("GET", "/a?b");
        assertEquals("/a?b", request.url());

        request.setDestination(new Destination("HTTPS", "Example.com", 443, "/a?b"));

        assertEquals("https://example.com/a?b", request.url());
        assertEquals("GET https://example.com/a?b HTTP/1.1", request.toString());
    }

    @Test
    void showsHostAndPortForAConnect() {
        Request request = request("CONNECT", "example.com:443");
        request.setDestination(new Destination("tcp", "example.com", 443, ""));

        assertEquals("example.com:443", request.url());
    }

    @Test
    void takesAnyTokenAsTheNewMethod() {
        Request request = request("GET", "/");

        request.setMethod("PURGE");

        assertEquals("PURGE", request.method());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "GET /x HTTP/1.1\r\nX:", "GE T", "G\u00c9T", "GET\u0000", "(GET)"})
    void refusesMethodsThatAreNotTokens(String method) {
        Request request = request("GET", "/");

        assertThrows(IllegalArgumentException.class, () -> request.setMethod(method));
        assertThrows(IllegalArgumentException.class, () -> request(method, "/"));
        assertEquals("GET", request.method());
    }
}
