package dev.wiretap.proxy.flow;

/**
 * A bandwidth limit for one exchange's bodies: bytes per second from the client (up) and to the client (down),
 * 0 for no limit that way. Immutable.
 */
public record Throttle(long upBytesPerSecond, long downBytesPerSecond) {

    public Throttle {
        if (upBytesPerSecond < 0 || downBytesPerSecond < 0) {
            throw new IllegalArgumentException("a throttle cannot be negative");
        }
    }
}
