package dev.wiretap.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsValidationTest {

    private static final Duration ZERO = Duration.ZERO;
    private static final Duration NEGATIVE = Duration.ofMillis(-1);

    static Stream<Arguments> rejectedValues() {
        Limits l = Limits.DEFAULTS;
        Timeouts t = Timeouts.DEFAULTS;
        PoolSettings p = PoolSettings.DEFAULTS;
        CaptureSettings c = CaptureSettings.DEFAULTS;
        return Stream.of(
                rejected("maxTargetBytes", "limits: maxTargetBytes 0", () -> l.withMaxTargetBytes(0)),
                rejected("maxTargetBytes", "limits: maxTargetBytes -1", () -> l.withMaxTargetBytes(-1)),
                rejected("maxHeaderBytes", "limits: maxHeaderBytes 0", () -> l.withMaxHeaderBytes(0)),
                rejected("maxHeaderCount", "limits: maxHeaderCount 0", () -> l.withMaxHeaderCount(0)),
                rejected("maxChunkLineBytes", "limits: maxChunkLineBytes 0", () -> new Limits(1, 1, 1, 0)),
                rejected("maxChunkLineBytes", "limits: maxChunkLineBytes 31", () -> new Limits(1, 1, 1, 31)),
                rejected("clientIdle", "timeouts: clientIdle zero", () -> t.withClientIdle(ZERO)),
                rejected("clientIdle", "timeouts: clientIdle null", () -> t.withClientIdle(null)),
                rejected("clientHeader", "timeouts: clientHeader negative", () -> t.withClientHeader(NEGATIVE)),
                rejected("clientRead", "timeouts: clientRead zero", () -> t.withClientRead(ZERO)),
                // Sockets take whole int milliseconds: below 1 ms would become 0, which is no timeout at all,
                // and past Integer.MAX_VALUE ms (24.8 days) the count turns negative.
                rejected("clientRead", "timeouts: clientRead 1 ns", () -> t.withClientRead(Duration.ofNanos(1))),
                rejected("upstreamRead", "timeouts: upstreamRead 999 us", () -> t.withUpstreamRead(Duration.ofNanos(999_999))),
                rejected("clientIdle", "timeouts: clientIdle 30 days", () -> t.withClientIdle(Duration.ofDays(30))),
                rejected("upstreamConnect", "timeouts: upstreamConnect 2^31 ms",
                        () -> t.withUpstreamConnect(Duration.ofMillis(Integer.MAX_VALUE + 1L))),
                rejected("upstreamConnect", "timeouts: upstreamConnect zero", () -> t.withUpstreamConnect(ZERO)),
                rejected("upstreamRead", "timeouts: upstreamRead negative", () -> t.withUpstreamRead(NEGATIVE)),
                rejected("expectContinue", "timeouts: expectContinue zero", () -> t.withExpectContinue(ZERO)),
                rejected("tunnelIdle", "timeouts: tunnelIdle zero", () -> t.withTunnelIdle(ZERO)),
                rejected("intercept", "timeouts: intercept zero", () -> t.withIntercept(ZERO)),
                rejected("shutdownGrace", "timeouts: shutdownGrace negative", () -> t.withShutdownGrace(NEGATIVE)),
                rejected("shutdownGrace", "timeouts: shutdownGrace null", () -> t.withShutdownGrace(null)),
                rejected("pool", "pool: maxIdlePerRoute -1", () -> p.withMaxIdlePerRoute(-1)),
                rejected("pool", "pool: maxIdleTotal -1", () -> p.withMaxIdleTotal(-1)),
                rejected("idleTimeout", "pool: idleTimeout zero", () -> p.withIdleTimeout(ZERO)),
                rejected("idleTimeout", "pool: idleTimeout negative", () -> p.withIdleTimeout(NEGATIVE)),
                rejected("idleTimeout", "pool: idleTimeout null", () -> p.withIdleTimeout(null)),
                rejected("maxBodyBytes", "capture: maxBodyBytes -1", () -> c.withMaxBodyBytes(-1)),
                rejected("storeBudgetBytes", "capture: storeBudgetBytes -1", () -> c.withStoreBudgetBytes(-1)));
    }

    private static Arguments rejected(String named, String description, Supplier<Object> make) {
        return Arguments.of(Named.of(description, make), named);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedValues")
    void rejectsAnInvalidValueNamingTheSetting(Supplier<Object> make, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertTrue(e.getMessage().contains(named), () -> "'" + e.getMessage() + "' should name " + named);
    }

    @Test
    void acceptsTheEdgesOfTheValidRanges() {
        assertEquals(32, new Limits(1, 1, 1, 32).maxChunkLineBytes());
        assertEquals(Duration.ofMillis(1), Timeouts.DEFAULTS.withUpstreamRead(Duration.ofMillis(1)).upstreamRead());
        Duration longest = Duration.ofMillis(Integer.MAX_VALUE);
        assertEquals(longest, Timeouts.DEFAULTS.withClientIdle(longest).withTunnelIdle(longest).clientIdle());
        assertEquals(ZERO, Timeouts.DEFAULTS.withShutdownGrace(ZERO).shutdownGrace());
        assertEquals(0, PoolSettings.DEFAULTS.withMaxIdlePerRoute(0).withMaxIdleTotal(0).maxIdleTotal());
        assertEquals(0, CaptureSettings.DEFAULTS.withMaxBodyBytes(0).withStoreBudgetBytes(0).storeBudgetBytes());
    }

    @Test
    void defaultsListenOnLoopbackWithoutAnUpstreamProxy() {
        Settings s = Settings.defaults();
        assertTrue(s.listen().isLoopback());
        assertEquals(UpstreamProxies.NONE, s.upstreamProxies());
        assertEquals(UpstreamProxies.NONE, s.withUpstreamProxy(null).upstreamProxies());
    }

    @Test
    void rejectsAMissingPart() {
        Settings s = Settings.defaults();
        assertThrows(NullPointerException.class, () -> s.withListen(null));
        assertThrows(NullPointerException.class, () -> s.withLimits(null));
        assertThrows(NullPointerException.class, () -> s.withTimeouts(null));
        assertThrows(NullPointerException.class, () -> s.withPool(null));
        assertThrows(NullPointerException.class, () -> s.withCapture(null));
    }
}
