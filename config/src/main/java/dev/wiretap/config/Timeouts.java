package dev.wiretap.config;

import java.time.Duration;

/**
 * How long wiretap waits for each party. Each timeout is between 1 ms and {@code Integer.MAX_VALUE} ms (24.8 days),
 * the range a socket timeout can express.
 *
 * @param clientIdle      a kept-alive client connection with no request in progress is closed after this
 * @param clientHeader    a client must send a whole request head within this once it has started one
 *                        (cuts off slow-loris clients); breached: 408 and close
 * @param clientRead      longest silence while a client sends a request body
 * @param clientBody      how far a client sending a request body may fall behind {@link Limits#minBodyRate()}, in time
 *                        spent waiting for it (as Apache's mod_reqtimeout; time spent waiting for the origin to take
 *                        the body does not count); breached: 408 and close
 * @param upstreamConnect connecting to an origin (or the upstream proxy); breached: 504
 * @param upstreamRead    longest silence from an origin, before or during its response; breached: 504
 *                        before the response head, an aborted client connection after it
 * @param expectContinue  how long to wait for an origin's 100 (Continue) before telling the client to send
 *                        its body anyway
 * @param tunnelIdle      a CONNECT tunnel or upgraded connection with no traffic either way is closed after this
 * @param shutdownGrace   on stop, how long in-flight exchanges may run on
 * @param intercept       a flow paused by intercept goes on as it stands after waiting this long for the user
 */
public record Timeouts(Duration clientIdle, Duration clientHeader, Duration clientRead, Duration clientBody, Duration upstreamConnect,
                       Duration upstreamRead, Duration expectContinue, Duration tunnelIdle, Duration shutdownGrace,
                       Duration intercept) {

    /** The longest timeout a socket takes, as it counts milliseconds in an int. Declared before DEFAULTS, which is checked against it. */
    private static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);

    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(3),
            Duration.ofMinutes(5));

    public Timeouts {
        positive("clientIdle", clientIdle);
        positive("clientHeader", clientHeader);
        positive("clientRead", clientRead);
        positive("clientBody", clientBody);
        positive("upstreamConnect", upstreamConnect);
        positive("upstreamRead", upstreamRead);
        positive("expectContinue", expectContinue);
        positive("tunnelIdle", tunnelIdle);
        positive("intercept", intercept);
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must be zero or positive");
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
        // Below a millisecond a socket timeout would round to 0, which means no timeout at all.
        if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + LONGEST.toMillis() + " ms (24.8 days), got " + value);
        }
    }

    public Timeouts withClientIdle(Duration value) {
        return new Timeouts(value, clientHeader, clientRead, clientBody, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withClientHeader(Duration value) {
        return new Timeouts(clientIdle, value, clientRead, clientBody, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withClientRead(Duration value) {
        return new Timeouts(clientIdle, clientHeader, value, clientBody, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withClientBody(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, value, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withUpstreamConnect(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, value, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withUpstreamRead(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, upstreamConnect, value, expectContinue, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withExpectContinue(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, upstreamConnect, upstreamRead, value, tunnelIdle, shutdownGrace, intercept);
    }

    public Timeouts withTunnelIdle(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, upstreamConnect, upstreamRead, expectContinue, value, shutdownGrace, intercept);
    }

    public Timeouts withShutdownGrace(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, value, intercept);
    }

    public Timeouts withIntercept(Duration value) {
        return new Timeouts(clientIdle, clientHeader, clientRead, clientBody, upstreamConnect, upstreamRead, expectContinue, tunnelIdle, shutdownGrace, value);
    }
}
