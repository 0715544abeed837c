package dev.wiretap.proxy.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DestinationTest {

    @Test
    void leavesTheDefaultPortOutOfTheAuthority() {
        assertEquals("example.com", new Destination("http", "example.com", 80, "/").authority());
        assertEquals("example.com", new Destination("https", "example.com", 443, "/").authority());
        assertEquals("example.com:443", new Destination("http", "example.com", 443, "/").authority());
        assertEquals("example.com:80", new Destination("https", "example.com", 80, "/").authority());
    }

    @Test
    void bracketsIpv6Literals() {
        Destination d = new Destination("http", "::1", 8080, "/x?y");

        assertEquals("[::1]:8080", d.authority());
        assertEquals("[::1]:8080", d.hostPort());
        assertEquals("http://[::1]:8080/x?y", d.url());
        assertEquals("[::1]:80", new Destination("http", "::1", 80, "/").hostPort());
    }

    @Test
    void lowerCasesSchemeAndHost() {
        Destination d = new Destination("HTTPS", "Example.COM", 443, "/Path");

        assertEquals("https://example.com/Path", d.url());
        assertEquals(true, d.isTls());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void refusesPortsOutOfRange(int port) {
        assertThrows(IllegalArgumentException.class, () -> new Destination("http", "a", port, "/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/x HTTP/1.1\r\nX-Injected: 1", "/a b", "/caf\u00e9", "/\u0000", "/\t"})
    void refusesPathsThatCouldBreakTheRequestLine(String path) {
        assertThrows(IllegalArgumentException.class, () -> new Destination("http", "a", 80, path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a b", "caf\u00e9.example", "a\u0000"})
    void refusesHostsThatCouldBreakTheHostField(String host) {
        assertThrows(IllegalArgumentException.class, () -> new Destination("http", host, 80, "/"));
    }
}
