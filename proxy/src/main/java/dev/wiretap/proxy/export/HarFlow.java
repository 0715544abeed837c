package dev.wiretap.proxy.export;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.HttpVersion;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A HAR entry ({@link HarRecord}) made a finished flow, as if wiretap had recorded it: request and response with their
 * fields in order, bodies ({@link HarBody}), status, timings, start time, the server's address, and the error of a
 * request that failed. What HAR cannot say as wiretap's model does is changed as little as it can be, and each change
 * is a note on the flow: HTTP/2 and HTTP/3 messages are shown as HTTP/1.1 (their pseudo-header fields left out, as the
 * method and URL say the same), a field wiretap would refuse on the wire is left out, {@code ws:} and {@code wss:} URLs
 * are {@code http:} and {@code https:}. An entry that cannot be a flow at all (no URL, a {@code data:} URL, no
 * method) is refused with an {@link IllegalArgumentException} saying why, and the reader skips it.
 *
 * <p>Stateless; for the reading thread.
 */
final class HarFlow {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[0-9A-Za-z_.-]+)?");
    /** Where a client is not known (browsers' HARs do not say): the unspecified address, port 0. */
    private static final InetSocketAddress UNKNOWN_CLIENT = new InetSocketAddress(unspecified(), 0);
    /** Milliseconds past any timing an exchange has: ten days. */
    private static final double MAX_MILLIS = 864_000_000;

    private HarFlow() {
    }

    /**
     * The flow of entry {@code e}, numbered {@code id}, with a note saying it came from {@code source}.
     *
     * @throws IllegalArgumentException if the entry cannot be a flow (the message says why)
     */
    static Flow of(HarRecord e, long id, String source, ImportLimits limits) {
        Set<String> notes = new LinkedHashSet<>();
        notes.addAll(e.notes);
        notes.add("imported from the HAR file " + source + ", where it was " + e.path);
        Request request = request(e, limits, notes);
        Instant started = started(e.started, notes);
        LiveFlow flow = new LiveFlow(id, client(e.client), started, 0, request);
        Optional<Response> response = response(e, request, limits, notes);
        response.ifPresent(flow::setResponse);
        long total = timings(e, flow, notes);
        String server = serverAddress(e.serverIp, request.destination().orElseThrow().port());
        if (!server.isEmpty() || e.reusedConnection) {
            flow.setUpstream(server, e.reusedConnection);
        }
        e.rules.forEach(flow::addAppliedRule);
        for (String problem : e.problems.subList(0, Math.min(e.problems.size(), 10))) {
            notes.add("in the HAR file: " + problem);
        }
        notes.forEach(flow::addNote);
        Optional<FlowError> error = error(e, response.isPresent());
        if (error.isPresent()) {
            flow.fail(error.get(), total);
        } else {
            flow.complete(total);
        }
        return flow;
    }

    private static Request request(HarRecord e, ImportLimits limits, Set<String> notes) {
        if (e.url.isEmpty()) {
            throw new IllegalArgumentException("it has no request URL (" + e.path + "/request/url)");
        }
        String method = e.method.strip();
        if (method.isEmpty()) {
            throw new IllegalArgumentException("it has no request method (" + e.path + "/request/method)");
        }
        if (method.equals("CONNECT")) {
            throw new IllegalArgumentException("it is a CONNECT tunnel, which holds no exchange to show");
        }
        Destination destination = HarUrl.destination(e.url, notes);
        HttpVersion version = version(e.request.version, "request", notes);
        Headers headers = HarFields.headers(e.request, "request", limits, notes);
        String target = destination.isTls() ? destination.pathAndQuery() : destination.url();
        Request request;
        try {
            request = new Request(method, target, version, headers, new byte[0]);
        } catch (IllegalArgumentException bad) {
            throw new IllegalArgumentException("its request method is not a token (" + e.path + "/request/method: '"
                    + HarJson.abbreviated(method) + "')");
        }
        request.setDestination(destination);
        request.setBody(HarBody.of(e.request.content, headers, e.request.bodySize, true, limits.maxBodyBytes(), notes));
        return request;
    }

    private static Optional<Response> response(HarRecord e, Request request, ImportLimits limits, Set<String> notes) {
        if (!e.hasResponse || e.status.isEmpty() || e.status.getAsDouble() == 0) {
            return Optional.empty(); // Chrome writes a request that got no response with status 0
        }
        double code = e.status.getAsDouble();
        if (code != Math.rint(code) || code < 100 || code > 999) {
            notes.add("the HAR's response status " + HarJson.abbreviated(Double.toString(code))
                    + " is not an HTTP status: the response is left out");
            return Optional.empty();
        }
        int status = (int) code;
        HttpVersion version = version(e.response.version, "response", notes);
        Headers headers = HarFields.headers(e.response, "response", limits, notes);
        String reason = HarFields.latin1(e.statusText);
        Response response;
        try {
            response = new Response(version, status, reason, headers, new byte[0]);
        } catch (IllegalArgumentException bad) {
            notes.add("the HAR's status text holds control characters: left out");
            response = new Response(version, status, "", headers, new byte[0]);
        }
        boolean bodiless = request.isMethod("HEAD") || status < 200 || status == 204 || status == 304;
        // A browser lists the cached content of a 304 as if it had come: no body flowed, and none is shown.
        response.setBody(bodiless ? Body.EMPTY
                : HarBody.of(e.response.content, headers, e.response.bodySize, false, limits.maxBodyBytes(), notes));
        return Optional.of(response);
    }

    /** HTTP/1.0 as such; anything else as HTTP/1.1, with a note when the HAR said another version. */
    private static HttpVersion version(String said, String side, Set<String> notes) {
        String v = said.strip().toUpperCase(Locale.ROOT);
        if (v.equals("HTTP/1.0")) {
            return HttpVersion.HTTP_1_0;
        }
        if (!v.isEmpty() && !v.equals("HTTP/1.1") && !v.equals("UNKNOWN")) {
            notes.add("the HAR says the " + side + " was " + HarJson.abbreviated(said.strip())
                    + ": shown as HTTP/1.1, the form wiretap keeps messages in");
        }
        return HttpVersion.HTTP_1_1;
    }

    /** ISO 8601 with an offset (Chrome's {@code Z}, Firefox's {@code +01:00}), or without one taken as UTC. */
    private static Instant started(String text, Set<String> notes) {
        String t = text.strip();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                Instant local = LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
                notes.add("the HAR's start time '" + t + "' has no time zone: taken as UTC");
                return local;
            } catch (DateTimeParseException unreadable) {
                notes.add(t.isEmpty() ? "the HAR gives no start time: shown as 1970-01-01"
                        : "the HAR's start time '" + HarJson.abbreviated(t) + "' is not an ISO 8601 date: shown as 1970-01-01");
                return Instant.EPOCH;
            }
        }
    }

    /**
     * Sets the flow's phases from the HAR's timings (milliseconds, -1 for a phase that did not happen; {@code connect}
     * holds {@code ssl}, which wiretap keeps apart) and returns the flow's duration in nanoseconds: {@code time}, or the
     * sum of the phases when the HAR has no {@code time}.
     */
    private static long timings(HarRecord e, LiveFlow flow, Set<String> notes) {
        double dns = millis(e.timings.get("dns"));
        double connect = millis(e.timings.get("connect"));
        double ssl = millis(e.timings.get("ssl"));
        double send = millis(e.timings.get("send"));
        double wait = millis(e.timings.get("wait"));
        double receive = millis(e.timings.get("receive"));
        double blocked = millis(e.timings.get("blocked"));
        flow.setDnsNanos(nanos(dns));
        flow.setConnectNanos(connect < 0 ? -1 : nanos(ssl < 0 ? connect : Math.max(0, connect - ssl)));
        flow.setSslNanos(nanos(ssl));
        flow.setSendNanos(nanos(send));
        flow.setWaitNanos(nanos(wait));
        flow.setReceiveNanos(nanos(receive));
        double time = e.time.isPresent() ? millis(e.time.getAsDouble()) : -1;
        if (time < 0) {
            time = Math.max(0, blocked) + Math.max(0, dns) + Math.max(0, connect) + Math.max(0, send) + Math.max(0, wait)
                    + Math.max(0, receive);
            if (e.time.isEmpty() && e.timings.isEmpty()) {
                notes.add("the HAR gives no timings");
            }
        }
        return nanos(time);
    }

    private static double millis(Double ms) {
        return ms == null ? -1 : millis(ms.doubleValue());
    }

    /** A phase in milliseconds: negative (HAR's -1) or past any exchange's length is "did not happen". */
    private static double millis(double ms) {
        return ms < 0 || ms > MAX_MILLIS ? -1 : ms;
    }

    private static long nanos(double ms) {
        return ms < 0 ? -1 : Math.round(ms * 1_000_000);
    }

    /** The server's {@code ip:port} from HAR's {@code serverIPAddress} (Chrome puts IPv6 in brackets, Firefox not). */
    private static String serverAddress(String ip, int port) {
        String literal = ip.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        if (IPV4.matcher(literal).matches()) {
            return literal + ":" + port;
        }
        if (literal.indexOf(':') >= 0 && IPV6.matcher(literal).matches()) {
            return "[" + literal + "]:" + port;
        }
        return "";
    }

    /** wiretap's {@code _wiretap.client}: an address literal and a port (never looked up); else unknown. */
    private static InetSocketAddress client(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            return UNKNOWN_CLIENT;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
            if (!IPV6.matcher(host).matches()) {
                return UNKNOWN_CLIENT;
            }
        } else if (!IPV4.matcher(host).matches()) {
            return UNKNOWN_CLIENT;
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return new InetSocketAddress(InetAddress.getByName(host), port); // a literal: no lookup
        } catch (NumberFormatException | UnknownHostException e) {
            return UNKNOWN_CLIENT;
        } catch (IllegalArgumentException e) {
            return UNKNOWN_CLIENT; // a port out of range
        }
    }

    /**
     * Why the exchange failed: wiretap's own error as it wrote it; else, for a request that got no response, Chrome's
     * {@code _error} (a {@code net::ERR_} name) or that the HAR holds no response.
     */
    private static Optional<FlowError> error(HarRecord e, boolean hasResponse) {
        if (!e.errorKind.isEmpty()) {
            for (FlowError.Kind kind : FlowError.Kind.values()) {
                if (kind.name().equals(e.errorKind)) {
                    return Optional.of(new FlowError(kind, e.errorMessage.isEmpty() ? e.error : e.errorMessage));
                }
            }
        }
        if (hasResponse && e.error.isEmpty()) {
            return Optional.empty();
        }
        String message = !e.errorMessage.isEmpty() ? e.errorMessage : !e.error.isEmpty() ? e.error : "the HAR holds no response";
        return Optional.of(new FlowError(kind(message), message));
    }

    /** The kind of failure a browser's error names ({@code net::ERR_NAME_NOT_RESOLVED}, {@code NS_ERROR_...}). */
    private static FlowError.Kind kind(String message) {
        String m = message.toUpperCase(Locale.ROOT);
        if (m.contains("NAME_NOT_RESOLVED") || m.contains("UNKNOWN_HOST")) {
            return FlowError.Kind.DNS;
        }
        if (m.contains("TIMED_OUT") || m.contains("TIMEOUT")) {
            return FlowError.Kind.UPSTREAM_TIMEOUT;
        }
        if (m.contains("REFUSED") || m.contains("UNREACHABLE") || m.contains("CONNECTION_FAILED")) {
            return FlowError.Kind.CONNECT;
        }
        if (m.contains("SSL") || m.contains("CERT")) {
            return FlowError.Kind.TLS;
        }
        if (m.contains("BLOCKED")) {
            return FlowError.Kind.BLOCKED;
        }
        if (m.contains("ABORTED") || m.contains("CANCELED") || m.contains("CANCELLED")) {
            return FlowError.Kind.CLIENT_CLOSED;
        }
        return FlowError.Kind.UPSTREAM_CLOSED;
    }

    private static InetAddress unspecified() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
    }
}
