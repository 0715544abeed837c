package dev.wiretap.proxy;

/**
 * Counters of the engine at one moment.
 *
 * @param clientAccepted   client connections accepted since start
 * @param clientOpen       client connections open now
 * @param upstreamOpened   connections opened to origins (or the upstream proxy) since start
 * @param upstreamReused   exchanges that went over a pooled connection instead of a new one
 * @param upstreamIdle     pooled idle connections now
 * @param flows            exchanges (flows) since start
 * @param flowsStored      flows held in the flow store now
 * @param upstreamLent     upstream connections in use by exchanges now: each exchange gives back (to the pool, or
 *                         closed) the one it borrowed when it ends, so this is 0 whenever no exchange is under way
 */
public record ConnectionStats(long clientAccepted, int clientOpen, long upstreamOpened, long upstreamReused,
                              int upstreamIdle, long flows, int flowsStored, long upstreamLent) {
}
