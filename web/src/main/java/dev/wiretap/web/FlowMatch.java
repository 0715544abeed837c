package dev.wiretap.web;

import dev.wiretap.config.filter.Filter;
import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.flow.Flow;

/**
 * Whether a filter the user typed selects a flow, as the UI decides it everywhere (the list, the highlight, the live
 * stream): the one place that makes a flow into the filter language's view of it. A filter that cannot decide (a bug
 * in a term) shows the flow rather than hide it. Stateless.
 */
final class FlowMatch {

    private FlowMatch() {
    }

    static boolean matches(Filter filter, Flow flow) {
        if (filter == Filter.ALL) {
            return true;
        }
        try {
            return filter.matches(FlowExchange.decoding(flow));
        } catch (RuntimeException e) {
            return true;
        }
    }
}
