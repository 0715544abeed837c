package dev.wiretap.proxy.flow;

import java.time.Instant;

/**
 * How long each phase of an exchange took, in nanoseconds, in the phases a HAR file uses. A phase that did not
 * happen (no DNS lookup or connect on a reused connection, no response) is -1.
 *
 * @param started       wall-clock time the request head began to arrive
 * @param dnsNanos      resolving the origin's name
 * @param connectNanos  opening the TCP connection to the origin (or upstream proxy)
 * @param sendNanos     writing the request head and body upstream
 * @param waitNanos     from the request being sent to the first byte of the response head
 * @param receiveNanos  from the response head to the last byte of the body
 * @param totalNanos    from the first byte of the request to the end of the exchange
 */
public record Timings(Instant started, long dnsNanos, long connectNanos, long sendNanos, long waitNanos,
                      long receiveNanos, long totalNanos) {
}
