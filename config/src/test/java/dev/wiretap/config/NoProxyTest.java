package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** no_proxy as curl, Go and Python read it: names with their subdomains, addresses, ranges, ports. */
class NoProxyTest {

    @ParameterizedTest(name = "{0} on {1}:{2}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            example.com                  | example.com       | 80   | true
            example.com                  | www.example.com   | 80   | true
            example.com                  | EXAMPLE.COM.      | 80   | true
            example.com                  | notexample.com    | 80   | false
            example.com                  | example.com.evil  | 80   | false
            .example.com                 | example.com       | 80   | true
            .example.com                 | a.b.example.com   | 443  | true
            *.example.com                | a.example.com     | 443  | true
            ' corp.internal , .lan '     | printer.lan       | 631  | true
            *                            | anything.example  | 80   | true
            localhost                    | localhost         | 3000 | true
            localhost                    | 127.0.0.1         | 3000 | false
            127.0.0.1                    | 127.0.0.1         | 3000 | true
            127.0.0.1                    | 127.0.0.2         | 3000 | false
            10.0.0.0/8                   | 10.20.30.40       | 80   | true
            10.0.0.0/8                   | 11.0.0.1          | 80   | false
            10.0.0.0/8                   | ten.example       | 80   | false
            192.168.1.0/24               | 192.168.1.255     | 80   | true
            ::1                          | ::1               | 80   | true
            ::1                          | [::1]             | 80   | true
            [::1]                        | ::1               | 80   | true
            fd00::/8                     | fd12:3456::1      | 80   | true
            fd00::/8                     | fe80::1           | 80   | false
            example.com:8443             | example.com       | 8443 | true
            example.com:8443             | example.com       | 443  | false
            [::1]:8080                   | ::1               | 8080 | true
            [::1]:8080                   | ::1               | 8081 | false
            127.0.0.1:5432               | 127.0.0.1         | 5432 | true
            ''                           | example.com       | 80   | false
            """)
    void matchesAsTheWellKnownClientsDo(String list, String host, int port, boolean direct) {
        assertEquals(direct, new NoProxy(list).matches(host, port));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"example.com:http", "example.com:99999", "10.0.0.0/33", "example.com/8", "., .", "*.", "::1/129"})
    void refusesAnEntryItCannotRead(String list) {
        String message = assertThrows(IllegalArgumentException.class, () -> new NoProxy(list)).getMessage();
        assertTrue(message.startsWith("no_proxy entry '"), message);
    }
}
