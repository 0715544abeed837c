package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Address blocks of {@code clients.allow}: which addresses each holds, IPv4 and IPv6, and what is refused. */
class CidrTest {

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
            "10.0.0.0/8, 10.255.1.2, true",
            "10.0.0.0/8, 11.0.0.1, false",
            "10.0.0.0/8, 127.0.0.1, false",
            "192.168.1.7, 192.168.1.7, true",
            "192.168.1.7, 192.168.1.8, false",
            "0.0.0.0/0, 203.0.113.9, true",
            "0.0.0.0/0, ::1, false",
            "10.0.0.0/8, ::ffff:10.1.2.3, true",
            "::1, ::1, true",
            "::1, 127.0.0.1, false",
            "fd00::/8, fd12:3456::1, true",
            "fd00::/8, fe80::1, false",
            "[2001:db8::]/32, 2001:db8:ffff::1, true",
            "2001:db8::/33, 2001:db8:8000::1, false",
    })
    void holdsTheAddressesOfItsPrefix(String block, String address, boolean held) throws Exception {
        assertEquals(held, Cidr.parse(block).contains(InetAddress.getByName(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/33", "::/129", "10.0.0", "example.com", "10.0.0.1/8",
            "fd00::1/8", "10.0.0.0/08x", "1.2.3.4/-1"})
    void refusesWhatIsNoBlock(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertEquals(true, e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", ":secret", "alice:", "al:ice:x:y\u0001"})
    void refusesCredentialsThatAreNotUserColonPassword(String text) {
        assertThrows(IllegalArgumentException.class, () -> ClientAccess.parseAuth(text, java.util.List.of()));
    }
}
