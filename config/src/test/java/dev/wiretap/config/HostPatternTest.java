package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPatternTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
        // exact
        "example.com,        example.com,            true",
        "example.com,        www.example.com,        false",
        "example.com,        example.com.evil,       false",
        "example.com,        example.co,             false",
        "127.0.0.1,          127.0.0.1,              true",
        "127.0.0.1,          127.0.0.11,             false",
        "::1,                ::1,                    true",
        // *.sub: any depth below, not the domain itself, not a name that merely ends the same
        "*.example.com,      www.example.com,        true",
        "*.example.com,      a.b.example.com,        true",
        "*.example.com,      example.com,            false",
        "*.example.com,      badexample.com,         false",
        "*.example.com,      www.example.com.evil,   false",
        // leading *
        "*example.com,       example.com,            true",
        "*example.com,       myexample.com,          true",
        "*example.com,       example.org,            false",
        // trailing *
        "example.*,          example.com,            true",
        "example.*,          example.co.uk,          true",
        "example.*,          example,                false",
        "example.*,          www.example.com,        false",
        // in the middle
        "api-*.example.com,  api-1.example.com,      true",
        "api-*.example.com,  api-.example.com,       true",
        "api-*.example.com,  api.example.com,        false",
        "api-*.example.com,  web-1.example.com,      false",
        "a*b*c,              abc,                    true",
        "a*b*c,              aXXbYYc,                true",
        "a*b*c,              aXXbYY,                 false",
        "a*b*c,              acb,                    false",
        "*.example.com,      example.com.example.com, true",
        "*ab,                aab,                    true",
        "a*ab,               aab,                    true",
        "*a*b,               xaxxab,                 true",
        "*a*b,               xaxxabx,                false",
        // everything
        "*,                  example.com,            true",
        "*,                  127.0.0.1,              true",
        "**,                 x,                      true",
    })
    void matchesHostsByGlob(String pattern, String host, boolean matches) {
        assertEquals(matches, new HostPattern(pattern).matches(host));
    }

    @ParameterizedTest(name = "{0} matches {1}")
    @CsvSource({
        "Example.COM,    example.com",
        "example.com,    EXAMPLE.Com",
        "*.EXAMPLE.com,  WWW.example.COM",
        "API-*.example.com, api-X.EXAMPLE.COM",
    })
    void ignoresCase(String pattern, String host) {
        assertTrue(new HostPattern(pattern).matches(host));
    }

    @Test
    void keepsThePatternLowerCasedAndStripped() {
        assertEquals("*.example.com", new HostPattern("  *.Example.COM ").pattern());
        assertEquals("*.example.com", new HostPattern("*.EXAMPLE.com").toString());
        assertEquals(new HostPattern("Example.com"), new HostPattern("example.com"));
    }

    @ParameterizedTest(name = "''{0}''")
    @NullAndEmptySource
    @ValueSource(strings = {
        "   ",
        "exa mple.com",
        "example.com/path",
        "http://example.com",
        "user@example.com",
        "example.com?",
        "[::1]",
        "example.com,other.com",
        "exa\tmple.com",
        "ex%61mple.com",
    })
    void rejectsWhatCannotBeAHostPattern(String pattern) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HostPattern(pattern));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void matchesWithManyStarsAgainstALongHostInLinearTime() {
        HostPattern many = new HostPattern("*a*a*a*a*a*a*a*a*a*a*a*a*b");
        String host = "a".repeat(4000);
        // A backtracking matcher takes exponential time here; a generous bound tells a hang from slowness.
        assertFalse(assertTimeoutPreemptively(Duration.ofSeconds(30), () -> many.matches(host)));
        assertTrue(many.matches(host + "b"));
    }
}
