package dev.wiretap.proxy.upstream;

import dev.wiretap.config.UpstreamProxies;
import dev.wiretap.config.UpstreamProxy;
import dev.wiretap.proxy.flow.Destination;
import java.util.Optional;

/**
 * What an upstream connection is good for: the origin's scheme, host and port, the upstream proxy it goes through,
 * if any, and for TLS the name the origin is asked for and checked against ({@code tlsName}: the host, unless a client
 * that tunnelled to an address asked for a name in its SNI). Pooled connections are kept per route. Immutable.
 */
public record Route(String scheme, String host, int port, Optional<UpstreamProxy> proxy, String tlsName) {

    /** A route whose TLS name is its host. */
    public Route(String scheme, String host, int port, Optional<UpstreamProxy> proxy) {
        this(scheme, host, port, proxy, host);
    }

    /** This route with another TLS name (null: keep the host). */
    public Route withTlsName(String name) {
        return name == null || name.equalsIgnoreCase(tlsName) ? this : new Route(scheme, host, port, proxy, name);
    }

    /** The route to {@code destination}, through the upstream proxy that {@code proxies} chooses for it, if any. */
    public static Route to(Destination destination, UpstreamProxies proxies) {
        return of(destination.scheme(), destination.host(), destination.port(), proxies);
    }

    /**
     * The route to {@code host:port} for {@code scheme} ({@code http}, {@code https}, or {@code tcp} for an opaque
     * tunnel), through the upstream proxy that {@code proxies} chooses for it, if any.
     */
    public static Route of(String scheme, String host, int port, UpstreamProxies proxies) {
        return new Route(scheme, host, port, proxies.proxyFor(scheme, host, port));
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
        return scheme + "://" + hostPort() + (tlsName.equals(host) ? "" : " (TLS name " + tlsName + ")")
                + proxy.map(p -> " via " + p).orElse("");
    }
}
