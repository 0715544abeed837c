package dev.wiretap.proxy.upstream;

/**
 * What an exchange borrows from the {@link UpstreamPool} to reach an origin: a whole HTTP/1.1 connection
 * ({@link UpstreamConnection}, the exchange's alone until given back) or one stream of a shared HTTP/2 connection
 * ({@link OriginStream}). Given back once, through {@link UpstreamPool#release} or {@link UpstreamPool#discard}.
 */
public sealed interface UpstreamLease permits UpstreamConnection, OriginStream {

    Route route();

    /** {@code ip:port} of the peer. */
    String remoteAddress();

    /** Whether the connection served an exchange before this one. */
    boolean isReused();

    /** Whether this is a stream of an HTTP/2 connection. */
    default boolean isHttp2() {
        return this instanceof OriginStream;
    }

    /**
     * Cuts the lease off from another thread (a stop whose grace is over, a client that cancelled): the connection's
     * socket is closed, or the stream reset, so that a thread blocked on it wakes.
     */
    void cutOff();
}
