package dev.wiretap.config;

import java.time.Duration;

/**
 * The upstream connection pool: how many idle origin connections are kept per route (scheme, host, port,
 * upstream proxy) and in total, and how long an idle one is kept before it is closed.
 */
public record PoolSettings(int maxIdlePerRoute, int maxIdleTotal, Duration idleTimeout) {

    public static final PoolSettings DEFAULTS = new PoolSettings(128, 1024, Duration.ofSeconds(30));

    public PoolSettings {
        if (maxIdlePerRoute < 0 || maxIdleTotal < 0) {
            throw new IllegalArgumentException("pool sizes must not be negative");
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("pool idleTimeout must be a positive duration");
        }
    }

    public PoolSettings withMaxIdlePerRoute(int value) {
        return new PoolSettings(value, maxIdleTotal, idleTimeout);
    }

    public PoolSettings withMaxIdleTotal(int value) {
        return new PoolSettings(maxIdlePerRoute, value, idleTimeout);
    }

    public PoolSettings withIdleTimeout(Duration value) {
        return new PoolSettings(maxIdlePerRoute, maxIdleTotal, value);
    }
}
