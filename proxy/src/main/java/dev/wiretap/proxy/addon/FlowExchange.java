package dev.wiretap.proxy.addon;

import dev.wiretap.config.filter.Exchange;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A flow seen through the filter language's {@link Exchange}: as much as the flow knows at the moment of asking.
 * Bodies are what was captured of them, decoded as UTF-8 (invalid bytes replaced). Cheap to make; not thread-safe
 * beyond what {@link Flow} is.
 */
public final class FlowExchange implements Exchange {

    private final Flow flow;

    public FlowExchange(Flow flow) {
        this.flow = flow;
    }

    @Override
    public String method() {
        return flow.request().method();
    }

    @Override
    public String url() {
        return flow.request().url();
    }

    @Override
    public String host() {
        return flow.request().destination().map(Destination::host).orElse("");
    }

    @Override
    public String pathAndQuery() {
        return flow.request().destination().map(Destination::pathAndQuery).orElse(flow.request().target());
    }

    @Override
    public Optional<Integer> status() {
        return flow.response().map(Response::status);
    }

    @Override
    public List<String> requestHeader(String name) {
        return flow.request().headers().all(name);
    }

    @Override
    public List<String> responseHeader(String name) {
        return flow.response().map(r -> r.headers().all(name)).orElse(List.of());
    }

    @Override
    public String requestBodyText() {
        return text(flow.request().body());
    }

    @Override
    public String responseBodyText() {
        return flow.response().map(r -> text(r.body())).orElse("");
    }

    private static String text(Body body) {
        return body.isEmpty() ? "" : body.text(StandardCharsets.UTF_8);
    }
}
