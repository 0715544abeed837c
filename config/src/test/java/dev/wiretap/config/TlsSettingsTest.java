package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsSettingsTest {

    private static final TlsSettings DEFAULTS = TlsSettings.defaults().withConfigDir(Path.of("/tmp/wiretap-test-config"));

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "bank.example,          true",
        "BANK.example,          true",
        "www.pinned.example,    true",
        "a.b.pinned.example,    true",
        "pinned.example,        false",
        "api-7.corp.example,    true",
        "www.corp.example,      false",
        "example.com,           false",
        "127.0.0.1,             false",
    })
    void passesThroughHostsMatchingAnyPattern(String host, boolean passthrough) {
        TlsSettings tls = DEFAULTS.withPassthrough(List.of(new HostPattern("bank.example"), new HostPattern("*.pinned.example"),
                new HostPattern("api-*.corp.example")));

        assertEquals(passthrough, tls.isPassthrough(host));
    }

    @Test
    void passesNothingThroughByDefault() {
        assertFalse(DEFAULTS.isPassthrough("example.com"));
        assertTrue(DEFAULTS.passthrough().isEmpty());
    }

    @Test
    void defaultsInterceptVerifyUpstreamsAndUseWiretapsOwnCa() {
        TlsSettings defaults = TlsSettings.defaults();

        assertTrue(defaults.intercept());
        assertFalse(defaults.insecureUpstream());
        assertEquals(List.of(), defaults.trustedCerts());
        assertEquals(Optional.empty(), defaults.ownCa());
        assertEquals(TlsSettings.defaultConfigDir(), defaults.configDir());
        assertTrue(defaults.leafCacheSize() > 0);
    }

    @Test
    void eachWithChangesOnlyItsOwnPart() {
        List<HostPattern> patterns = List.of(new HostPattern("*.example"));
        List<Path> certs = List.of(Path.of("/etc/ca.pem"));
        TlsSettings.OwnCa own = new TlsSettings.OwnCa(Path.of("ca.pem"), Path.of("ca.key"));
        Path dir = Path.of("/somewhere");

        TlsSettings changed = DEFAULTS.withIntercept(false).withPassthrough(patterns).withInsecureUpstream(true)
                .withTrustedCerts(certs).withOwnCa(own).withConfigDir(dir);

        assertEquals(new TlsSettings(false, patterns, true, certs, Optional.of(own), dir, DEFAULTS.leafCacheSize()), changed);
        assertEquals(Optional.empty(), changed.withOwnCa(null).ownCa());
        assertEquals(changed, changed.withOwnCa(null).withOwnCa(own));
    }

    @Test
    void copiesItsListsSoThatLaterChangesDoNotLeakIn() {
        List<HostPattern> patterns = new ArrayList<>(List.of(new HostPattern("a.example")));
        TlsSettings tls = DEFAULTS.withPassthrough(patterns);

        patterns.add(new HostPattern("b.example"));

        assertFalse(tls.isPassthrough("b.example"));
        assertThrows(UnsupportedOperationException.class, () -> tls.passthrough().add(new HostPattern("c.example")));
    }

    @ParameterizedTest(name = "leafCacheSize {0}")
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void refusesALeafCacheThatHoldsNothing(int size) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TlsSettings(true, List.of(), false,
                List.of(), Optional.empty(), Path.of("x"), size));
        assertTrue(e.getMessage().contains("leafCacheSize"), e.getMessage());
    }

    @Test
    void refusesMissingParts() {
        assertThrows(NullPointerException.class, () -> DEFAULTS.withConfigDir(null));
        assertThrows(NullPointerException.class, () -> new TlsSettings.OwnCa(null, Path.of("k")));
        assertThrows(NullPointerException.class, () -> new TlsSettings.OwnCa(Path.of("c"), null));
    }
}
