package dev.wiretap.cli;

import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one log line says about a finished exchange, copied out of the flow on the connection's thread so that the
 * log's queue holds a few strings rather than the flow (whose captured bodies would otherwise stay reachable, and
 * be copied by the garbage collector, until the writer gets to them). Immutable.
 *
 * @param status        the response status, or -1 if there was none
 * @param bytes         response body bytes (for a tunnel: bytes sent to the client)
 * @param error         the error message ("dropped" for a connection a rule dropped), or empty
 * @param upstream      "reused", "new", or empty when no origin connection was used
 * @param requestLines  verbose only: the request's start line then its fields as {@code Name: value}, else empty
 * @param responseLines verbose only: the same for the response, else empty
 * @param rules         the names of the rules that changed the exchange (or answered it), in the order they applied
 */
record LogLine(Instant started, InetSocketAddress client, String method, String url, int status, long bytes,
               long durationNanos, String error, String upstream, List<String> requestLines, List<String> responseLines,
               List<String> rules) {

    static LogLine of(Flow flow, boolean verbose) {
        Response response = flow.response().orElse(null);
        long bytes = flow.request().isMethod("CONNECT") ? flow.bytesToClient()
                : response == null ? 0 : response.body().size();
        String upstream = flow.isReusedUpstream() ? "reused" : flow.serverAddress().isEmpty() ? "" : "new";
        List<String> requestLines = List.of();
        List<String> responseLines = List.of();
        if (verbose) {
            requestLines = lines(flow.request().method() + " " + flow.request().target() + " " + flow.request().version(),
                    flow.request().headers());
            if (response != null) {
                responseLines = lines(response.version() + " " + response.status() + " " + response.reason(), response.headers());
            }
        }
        return new LogLine(flow.started(), flow.client(), flow.request().method(), flow.request().url(),
                response == null ? -1 : response.status(), bytes, flow.durationNanos(),
                flow.error().map(LogLine::error).orElse(""), upstream, requestLines, responseLines, flow.appliedRules());
    }

    /** About the bytes this line holds, for the log's queue, which is bounded by bytes ({@link LogQueue}). */
    long sizeBytes() {
        return LogQueue.sizeOf(method) + LogQueue.sizeOf(url) + LogQueue.sizeOf(error) + LogQueue.sizeOf(upstream)
                + LogQueue.sizeOf(requestLines) + LogQueue.sizeOf(responseLines) + LogQueue.sizeOf(rules);
    }

    /** The error as the line shows it; a rule's drop is named by the rules list after it, so "dropped" says enough. */
    private static String error(FlowError error) {
        return error.kind() == FlowError.Kind.BLOCKED ? "dropped" : error.message();
    }

    private static List<String> lines(String startLine, Headers headers) {
        List<String> lines = new ArrayList<>(headers.size() + 1);
        lines.add(startLine);
        for (int i = 0; i < headers.size(); i++) {
            lines.add(headers.name(i) + ": " + headers.value(i));
        }
        return List.copyOf(lines);
    }
}
