package dev.wiretap.proxy.upstream;

import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Destination;
import java.util.Optional;

/**
 * What an upstream connection is good for: the origin's scheme, host and port, and the upstream proxy it goes
 * through, if any. Pooled connections are kept per route. Immutable.
 */
public record Route(String scheme, String host, int port, Optional<UpstreamProxy> proxy) {

    public static Route to(Destination destination, Optional<UpstreamProxy> proxy) {
        return new Route(destination.scheme(), destination.host(), destination.port(), proxy);
    }

    public boolean isTls() {
        return scheme.equals("https");
    }

    /** True when requests on this route go to an upstream proxy in absolute form (plain HTTP through a proxy). */
    public boolean sendsAbsoluteForm() {
        return proxy.isPresent() && !isTls();
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return scheme + "://" + hostPort() + proxy.map(p -> " via " + p).orElse("");
    }
}
