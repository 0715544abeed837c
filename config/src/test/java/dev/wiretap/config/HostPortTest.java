package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:8080      | 127.0.0.1   | 8080
            localhost:0         | localhost   | 0
            proxy.corp:3128     | proxy.corp  | 3128
            0.0.0.0:65535       | 0.0.0.0     | 65535
            [::1]:9000          | ::1         | 9000
            [fe80::1%eth0]:80   | fe80::1%eth0 | 80
            :8081               | 127.0.0.1   | 8081
            '  example.com:80 ' | example.com | 80
            """)
    void parsesHostAndPort(String text, String host, int port) {
        assertEquals(new HostPort(host, port), HostPort.parse(text));
    }

    @Test
    void bracketsAnIpv6HostWhenPrinted() {
        assertEquals("[::1]:9000", HostPort.parse("[::1]:9000").toString());
        assertEquals("example.com:80", HostPort.parse("example.com:80").toString());
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {
        "",                 // nothing
        "   ",              // blank
        "localhost",        // no port
        "[::1]",            // bracketed IPv6 without a port
        "localhost:",       // empty port
        "[::1]:",           // empty port after brackets
        "localhost:http",   // a service name is not a port
        "localhost:-1",     // negative
        "localhost:+80",    // sign
        "localhost:65536",  // one above the range
        "localhost:99999",  // five digits above the range
        "localhost:123456", // six digits
        "::1:8080",         // IPv6 without brackets
        "fe80::1",          // IPv6 without brackets or port
        "[::1]8080",        // no colon after the bracket
        "[::1:8080",        // unclosed bracket
        "[]:80",            // empty host
    })
    void rejectsMalformedAddresses(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void namesTheProblemInTheMessage() {
        assertTrue(messageOf("localhost").contains("no port"));
        assertTrue(messageOf("localhost:65536").contains("65535"));
        assertTrue(messageOf("::1:8080").contains("[::1]:PORT"));
        assertTrue(messageOf("localhost:nope").contains("nope"));
    }

    private static String messageOf(String text) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text)).getMessage();
    }

    @Test
    void rejectsAPortOutOfRangeInTheConstructor() {
        assertThrows(IllegalArgumentException.class, () -> new HostPort("localhost", 65536));
        assertThrows(IllegalArgumentException.class, () -> new HostPort("localhost", -1));
        assertThrows(IllegalArgumentException.class, () -> new HostPort(" ", 80));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"localhost, true", "LOCALHOST, true", "127.0.0.1, true", "127.1.2.3, true", "::1, true",
                "0.0.0.0, false", "192.168.1.2, false", "example.com, false", "::, false"})
    void knowsWhichHostsAreLoopback(String host, boolean loopback) {
        assertEquals(loopback, new HostPort(host, 80).isLoopback());
    }
}
