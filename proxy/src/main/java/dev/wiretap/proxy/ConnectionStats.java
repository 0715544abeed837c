package dev.wiretap.proxy;

/**
 * Counters of the engine at one moment.
 *
 * @param clientAccepted   client connections accepted since start (those refused for their address not among them)
 * @param clientOpen       client connections open now
 * @param upstreamOpened   connections opened to origins (or the upstream proxy) since start
 * @param upstreamReused   exchanges that went over a pooled connection instead of a new one
 * @param upstreamIdle     pooled idle connections now
 * @param flows            exchanges (flows) since start
 * @param flowsStored      flows held in the flow store now
 * @param upstreamLent     upstream connections in use by exchanges now: each exchange gives back (to the pool, or
 *                         closed) the one it borrowed when it ends, so this is 0 whenever no exchange is under way
 * @param clientMax        the most client connections open at once ({@code limits.max_client_connections})
 * @param clientRefused    client connections closed as they were accepted since start: their address is not in
 *                         {@code clients.allow}
 * @param captureInFlight  bytes the bodies of flows in flight hold now
 * @param captureBudget    the most they may hold ({@code capture.in_flight_budget}, at most an eighth of the heap)
 * @param tunnelReserved   connections opened to origins at intercepted CONNECTs (when the pool held none to the
 *                         origin), each kept for its tunnel's first request, since start
 * @param tunnelReservedUsed of those, the ones that request used; the others were closed unused
 * @param clientTlsHandshakes TLS handshakes with clients in intercepted tunnels completed since start
 * @param clientTlsResumed of those, the ones that resumed a session the client kept (no certificate, no signature)
 */
public record ConnectionStats(long clientAccepted, int clientOpen, long upstreamOpened, long upstreamReused,
                              int upstreamIdle, long flows, int flowsStored, long upstreamLent, int clientMax,
                              long clientRefused, long captureInFlight, long captureBudget, long tunnelReserved,
                              long tunnelReservedUsed, long clientTlsHandshakes, long clientTlsResumed) {
}
