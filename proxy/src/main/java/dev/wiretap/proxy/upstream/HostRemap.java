package dev.wiretap.proxy.upstream;

import dev.wiretap.config.HostMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The host names the {@link Dialer} connects to at addresses of the user's choosing instead of DNS's: the config's
 * {@code hosts:} map at start, and the mappings added while running ({@code Wiretap.resolve}). Only where wiretap connects
 * itself: a request that goes through an upstream proxy is resolved by that proxy. Thread-safe: connection threads look
 * names up while a test adds or takes back mappings.
 */
public final class HostRemap {

    private final AtomicReference<HostMap> hosts;

    public HostRemap(HostMap initial) {
        this.hosts = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    /** Where connections to {@code host} go, if it is mapped. */
    public Optional<HostMap.Target> lookup(String host) {
        return hosts.get().lookup(host);
    }

    /** Maps {@code host} to {@code target} for connections opened from now on (replacing any mapping it had). */
    public void map(String host, HostMap.Target target) {
        hosts.updateAndGet(current -> current.with(host, target));
    }

    /** The mappings in force now. */
    public HostMap current() {
        return hosts.get();
    }

    /** Puts back mappings taken with {@link #current()} (a test's are undone after it). */
    public void restore(HostMap saved) {
        hosts.set(Objects.requireNonNull(saved));
    }
}
