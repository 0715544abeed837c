package dev.wiretap.proxy.server;

/**
 * What the client's connection does once an exchange is over: what every handler of a request returns to whatever
 * drives the exchange (the HTTP/1 loop in {@link ClientSession}). A handler decides it because only the handler knows
 * whether the request's body was read to its end, whether the client asked to close, and what it wrote.
 *
 * <p>LINGER and TUNNEL are HTTP/1's alone. An HTTP/2 stream's exchange ends the stream whatever the outcome; there
 * CLOSE says that what is left of the request will not be read (the stream is reset, RFC 9113 section 8.1), not that
 * the connection closes.
 */
enum Outcome {
    /** The connection carries the next request. */
    KEEP,
    /** The connection closes now. */
    CLOSE,
    /**
     * The connection closes after an error answer, reading and dropping what the client still sends for a while first:
     * closing with unread input makes the kernel send a reset, which can destroy the answer before the client reads it
     * (RFC 9112 section 9.6).
     */
    LINGER,
    /**
     * The connection became an intercepted CONNECT tunnel (TLS or plain HTTP): the next requests are read inside it.
     * A tunnel relayed untouched, or an upgraded connection, has ended by the time its handler returns: that is CLOSE.
     */
    TUNNEL;

    /** Whether the connection goes on reading requests. */
    boolean carriesOn() {
        return this == KEEP || this == TUNNEL;
    }
}
