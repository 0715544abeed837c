package dev.wiretap.config.filter;

import java.util.List;
import java.util.Optional;

/**
 * A read-only view of one exchange, as much of it as is known when a filter is asked: at request time there is no
 * response yet, and terms about the response then do not match. The proxy implements it over its flows; filters
 * never see sockets or threads.
 */
public interface Exchange {

    String method();

    /** The full URL ({@code https://host:port/path?query}, default port left out). */
    String url();

    String host();

    /** The path with its query. */
    String pathAndQuery();

    /** The response status, if a response is known. */
    Optional<Integer> status();

    /** Every value of the request field {@code name} (case-insensitive), in order. */
    List<String> requestHeader(String name);

    /** Every value of the response field {@code name}; empty when there is no response yet. */
    List<String> responseHeader(String name);

    /** The request body as text (what was captured of it), decoded leniently. */
    String requestBodyText();

    /** The response body as text (what was captured), empty when there is no response yet. */
    String responseBodyText();

    /**
     * The protocols the exchange flowed in, as ALPN names them ({@code h2}, {@code http/1.1}, {@code http/1.0}): the
     * client's, then the origin's when it differs (known once the response is). Empty when not known.
     */
    default List<String> protocols() {
        return List.of();
    }
}
