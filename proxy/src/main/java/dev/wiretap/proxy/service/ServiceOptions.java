package dev.wiretap.proxy.service;

import dev.wiretap.config.Limits;
import dev.wiretap.config.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ServiceListener} treats its clients: the limits on request heads (each breach with its own status, as
 * for the proxy: 414, 431, 400) and how long it waits for them. Immutable.
 *
 * @param name          names the threads: {@code NAME-accept} accepts, {@code NAME-N} serves connection N
 * @param limits        the request head limits
 * @param idleTimeout   a kept-alive connection with no request in progress is closed after this
 * @param headerTimeout a request head must arrive whole within this once it has begun (else 408)
 * @param readTimeout   longest silence while a client sends a request body
 */
public record ServiceOptions(String name, Limits limits, Duration idleTimeout, Duration headerTimeout, Duration readTimeout) {

    public ServiceOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
    }

    /** The proxy's own limits and client timeouts ({@code limits.*}, {@code timeouts.client_*}). */
    public static ServiceOptions of(String name, Settings settings) {
        return new ServiceOptions(name, settings.limits(), settings.timeouts().clientIdle(),
                settings.timeouts().clientHeader(), settings.timeouts().clientRead());
    }
}
