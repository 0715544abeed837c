package dev.wiretap.proxy.upstream;

import dev.wiretap.config.HostMap;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The host names the {@link Dialer} connects to at addresses of the user's choosing instead of DNS's: the config's
 * {@code hosts:} map at start, and the mappings added while running ({@code Wiretap.resolve}). Only where wiretap connects
 * itself: a request that goes through an upstream proxy is resolved by that proxy. Thread-safe: connection threads look
 * names up while a test adds or takes back mappings.
 */
public final class HostRemap {

    private final AtomicReference<HostMap> hosts;
    private volatile Consumer<Set<String>> changed = names -> { };

    public HostRemap(HostMap initial) {
        this.hosts = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    /**
     * Tells {@code listener} the names whose mapping changed, after each change (the pool closes its idle connections to
     * them, which were opened at the old address).
     */
    public void onChange(Consumer<Set<String>> listener) {
        this.changed = Objects.requireNonNull(listener);
    }

    /** Where connections to {@code host} go, if it is mapped. */
    public Optional<HostMap.Target> lookup(String host) {
        return hosts.get().lookup(host);
    }

    /** Maps {@code host} to {@code target} for connections opened from now on (replacing any mapping it had). */
    public void map(String host, HostMap.Target target) {
        HostMap before = hosts.getAndUpdate(current -> current.with(host, target));
        changed.accept(differences(before, hosts.get()));
    }

    /** The mappings in force now. */
    public HostMap current() {
        return hosts.get();
    }

    /** Puts back mappings taken with {@link #current()} (a test's are undone after it). */
    public void restore(HostMap saved) {
        HostMap before = hosts.getAndSet(Objects.requireNonNull(saved));
        changed.accept(differences(before, saved));
    }

    private static Set<String> differences(HostMap a, HostMap b) {
        Set<String> names = new HashSet<>(a.targets().keySet());
        names.addAll(b.targets().keySet());
        names.removeIf(name -> Objects.equals(a.targets().get(name), b.targets().get(name)));
        return names;
    }
}
