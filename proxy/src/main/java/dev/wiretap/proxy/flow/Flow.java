package dev.wiretap.proxy.flow;

import dev.wiretap.config.rule.Rule;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One exchange through wiretap: who asked, the request, the response (when there is one), the error (when there
 * is one), the sizes on the wire and the timing of each phase. A CONNECT tunnel is a flow too; its response is
 * the 200 wiretap sent and its sizes are the bytes relayed each way.
 *
 * <p>Mutable: only the connection thread that serves the exchange changes it, with one exception: while the flow is
 * paused by intercept ({@link #paused()}) that thread is parked, and the intercept changes the flow for the user
 * under its lock, which the thread takes again before it goes on. Fields others read are volatile, so a flow looked
 * at in the {@code FlowStore} while in flight shows a consistent, if partial, state. Listeners receive it through
 * events, in order: requested, responded, then completed or failed (with paused and released around a pause).
 */
public final class Flow {

    public enum State {
        /** The request head has arrived; the exchange is under way. */
        REQUESTED,
        /** The response head is known; its body is streaming. */
        RESPONDED,
        /** A CONNECT tunnel (or upgraded connection) is open and relaying. */
        TUNNELLED,
        /** Done: the response (or tunnel) ended normally. */
        COMPLETED,
        /** Done: something failed; see {@link #error()}. */
        FAILED
    }

    /** One of the two messages of an exchange: what an addon holds, or where a paused flow waits. */
    public enum Side {
        REQUEST,
        RESPONSE
    }

    private final long id;
    private final InetSocketAddress client;
    private final Instant started;
    private final long startNanos;
    private final Request request;
    private volatile Response response;
    private volatile FlowError error;
    private volatile State state = State.REQUESTED;
    private volatile boolean reusedUpstream;
    private volatile boolean intercepted;
    private final java.util.List<String> appliedRules = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Answer answer;
    private volatile Throttle throttle;
    private volatile java.util.List<Rule> responseRules = java.util.List.of();
    private volatile String serverAddress = "";
    private volatile TlsHandshake clientTls;
    private volatile TlsHandshake upstreamTls;
    private volatile long bytesFromClient;
    private volatile long bytesToClient;
    private volatile Timings timings;
    private final java.util.List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile long replayOf;
    private volatile boolean holdRequest;
    private volatile boolean holdResponse;
    private volatile boolean requestBodyWhole;
    private volatile boolean responseBodyWhole;
    private volatile Side paused;
    private volatile String dropReason;
    /** The messages of the WebSocket this exchange became (after a 101), else null. */
    private volatile WebSocketMessages webSocket;

    // Phase durations, written by the connection thread and published through the volatile `timings` snapshot.
    private long dnsNanos = -1;
    private long connectNanos = -1;
    private long sslNanos = -1;
    private long sendNanos = -1;
    private long waitNanos = -1;
    private long receiveNanos = -1;

    public Flow(long id, InetSocketAddress client, Instant started, long startNanos, Request request) {
        this.id = id;
        this.client = Objects.requireNonNull(client);
        this.started = Objects.requireNonNull(started);
        this.startNanos = startNanos;
        this.request = Objects.requireNonNull(request);
    }

    /** Sequence number, unique within one wiretap run, in order of arrival. */
    public long id() {
        return id;
    }

    public InetSocketAddress client() {
        return client;
    }

    public Instant started() {
        return started;
    }

    /** {@link System#nanoTime()} when the request began to arrive. */
    public long startNanos() {
        return startNanos;
    }

    public Request request() {
        return request;
    }

    public Optional<Response> response() {
        return Optional.ofNullable(response);
    }

    public void setResponse(Response response) {
        this.response = Objects.requireNonNull(response);
        if (state == State.REQUESTED) {
            state = State.RESPONDED;
        }
    }

    public Optional<FlowError> error() {
        return Optional.ofNullable(error);
    }

    public State state() {
        return state;
    }

    public boolean isDone() {
        State s = state;
        return s == State.COMPLETED || s == State.FAILED;
    }

    public void markTunnelled() {
        state = State.TUNNELLED;
    }

    /** Ends the flow normally; {@code endNanos} is {@link System#nanoTime()} at the end. */
    public void complete(long endNanos) {
        snapshotTimings(endNanos);
        state = State.COMPLETED;
    }

    /** Ends the flow with an error (keeping any response already under way). */
    public void fail(FlowError error, long endNanos) {
        this.error = Objects.requireNonNull(error);
        snapshotTimings(endNanos);
        state = State.FAILED;
    }

    /** The names of the rules that changed this exchange, in the order they applied. */
    public java.util.List<String> appliedRules() {
        return java.util.List.copyOf(appliedRules);
    }

    /** Records that rule {@code name} changed this exchange (once per rule). */
    public void addAppliedRule(String name) {
        if (!appliedRules.contains(name)) {
            appliedRules.add(name);
        }
    }

    /** How wiretap is to answer in the origin's place, if an addon decided so at the request head. */
    public Optional<Answer> answer() {
        return Optional.ofNullable(answer);
    }

    /** Answers the request in the origin's place (the origin is not contacted). */
    public void setAnswer(Answer answer) {
        this.answer = Objects.requireNonNull(answer);
    }

    /** The bandwidth limit for this exchange's bodies, if any. */
    public Optional<Throttle> throttle() {
        return Optional.ofNullable(throttle);
    }

    public void setThrottle(Throttle throttle) {
        this.throttle = Objects.requireNonNull(throttle);
    }

    /**
     * The rules whose response actions wait for this exchange's response head, chosen at its request head from the
     * rules in force then (so that a reload in between changes nothing for it). Kept by the rules addon.
     */
    public java.util.List<Rule> responseRules() {
        return responseRules;
    }

    public void setResponseRules(java.util.List<Rule> rules) {
        this.responseRules = java.util.List.copyOf(rules);
    }

    /**
     * Asks wiretap to hold this message before sending it on: its body is read into memory (whole when it fits
     * within the capture cap) and the addons' {@link dev.wiretap.proxy.addon.Addon#onRequest} or
     * {@link dev.wiretap.proxy.addon.Addon#onResponse} hook runs with it in hand. Called by an addon in the head hook
     * of that side ({@code onRequestHead}, {@code onResponseHead}); later calls have no effect.
     */
    public void hold(Side side) {
        if (side == Side.REQUEST) {
            holdRequest = true;
        } else {
            holdResponse = true;
        }
    }

    /** Whether an addon asked to hold this side's message ({@link #hold}). */
    public boolean isHeld(Side side) {
        return side == Side.REQUEST ? holdRequest : holdResponse;
    }

    /**
     * Whether this side's body is in memory whole (a held message whose body fit within the capture cap), so that an
     * addon may replace it with {@code setBody} before it is sent. False for a body too large to hold, which goes on
     * as it comes.
     */
    public boolean hasWholeBody(Side side) {
        return side == Side.REQUEST ? requestBodyWhole : responseBodyWhole;
    }

    /** Set by the engine once a held body has been read whole. */
    public void markWholeBody(Side side) {
        if (side == Side.REQUEST) {
            requestBodyWhole = true;
        } else {
            responseBodyWhole = true;
        }
    }

    /** Which message the flow is paused at (intercept waits for the user), if it is paused now. */
    public Optional<Side> paused() {
        return Optional.ofNullable(paused);
    }

    /** Marks the flow paused at {@code side}, or no longer paused ({@code null}). Set by the intercept. */
    public void setPaused(Side side) {
        this.paused = side;
    }

    /**
     * Asks wiretap to drop this exchange (as an addon may in its hooks): the client connection is cut without a
     * response, the origin connection, if any, is closed, and the flow fails with {@link FlowError.Kind#DROPPED}
     * and {@code reason}.
     */
    public void drop(String reason) {
        this.dropReason = Objects.requireNonNull(reason);
    }

    /** Why an addon asked to drop this exchange, if it did. */
    public Optional<String> dropReason() {
        return Optional.ofNullable(dropReason);
    }

    /** Notes on what happened to this exchange beyond its messages (paused, edited, timed out), in order. */
    public java.util.List<String> notes() {
        return java.util.List.copyOf(notes);
    }

    public void addNote(String note) {
        notes.add(Objects.requireNonNull(note));
    }

    /**
     * The messages of the WebSocket this exchange became after its 101 (RFC 6455), both ways, as far as kept; empty for
     * any other exchange. Grows while the socket is open.
     */
    public Optional<WebSocketMessages> webSocket() {
        return Optional.ofNullable(webSocket);
    }

    /** Marks this exchange a WebSocket whose messages go into {@code messages}; set by the engine at the 101. */
    public void startWebSocket(WebSocketMessages messages) {
        this.webSocket = Objects.requireNonNull(messages);
    }

    /** For a replay: the id of the flow whose request this one sent again. */
    public OptionalLong replayOf() {
        long id = replayOf;
        return id > 0 ? OptionalLong.of(id) : OptionalLong.empty();
    }

    public void markReplayOf(long originalId) {
        if (originalId <= 0) {
            throw new IllegalArgumentException("flow ids start at 1, got " + originalId);
        }
        this.replayOf = originalId;
    }

    /** For a CONNECT: whether wiretap opened the tunnel's TLS and read the requests inside it as flows of their own. */
    public boolean isIntercepted() {
        return intercepted;
    }

    public void markIntercepted() {
        intercepted = true;
    }

    /** Whether the request went over a pooled connection that had served an earlier request. */
    public boolean isReusedUpstream() {
        return reusedUpstream;
    }

    /** The address (ip:port) of the origin or upstream proxy this flow's connection went to, or empty. */
    public String serverAddress() {
        return serverAddress;
    }

    public void setUpstream(String serverAddress, boolean reused) {
        this.serverAddress = Objects.requireNonNull(serverAddress);
        this.reusedUpstream = reused;
    }

    /** As {@link #setUpstream(String, boolean)}, with the TLS of that connection ({@code null} for plain TCP). */
    public void setUpstream(String serverAddress, boolean reused, TlsHandshake tls) {
        setUpstream(serverAddress, reused);
        this.upstreamTls = tls;
    }

    /** The TLS of the connection to the origin, when it was TLS (an https request). */
    public Optional<TlsHandshake> upstreamTls() {
        return Optional.ofNullable(upstreamTls);
    }

    /** The TLS between the client and wiretap, for a request read inside an intercepted tunnel. */
    public Optional<TlsHandshake> clientTls() {
        return Optional.ofNullable(clientTls);
    }

    /** Sets the client side's TLS ({@code null}: the request came in plain). */
    public void setClientTls(TlsHandshake tls) {
        this.clientTls = tls;
    }

    /** Bytes read from the client for this exchange: request head and body as framed on the wire, or tunnel bytes. */
    public long bytesFromClient() {
        return bytesFromClient;
    }

    /** Bytes written to the client for this exchange: response head(s) and body as framed on the wire, or tunnel bytes. */
    public long bytesToClient() {
        return bytesToClient;
    }

    public void addBytesFromClient(long n) {
        bytesFromClient += n;
    }

    public void addBytesToClient(long n) {
        bytesToClient += n;
    }

    public void setDnsNanos(long nanos) {
        dnsNanos = nanos;
    }

    public void setConnectNanos(long nanos) {
        connectNanos = nanos;
    }

    /** The TLS handshake with the origin, on the connection this exchange opened (or was the first to use). */
    public void setSslNanos(long nanos) {
        sslNanos = nanos;
    }

    public void setSendNanos(long nanos) {
        sendNanos = nanos;
    }

    public void setWaitNanos(long nanos) {
        waitNanos = nanos;
    }

    public void setReceiveNanos(long nanos) {
        receiveNanos = nanos;
    }

    /** The phases so far (final once the flow is done). */
    public Timings timings() {
        Timings t = timings;
        return t != null ? t : new Timings(started, dnsNanos, connectNanos, sslNanos, sendNanos, waitNanos, receiveNanos,
                System.nanoTime() - startNanos);
    }

    /** Total duration in nanoseconds: final once done, else so far. */
    public long durationNanos() {
        return timings().totalNanos();
    }

    /** A rough count of the heap this flow holds, for the flow store's budget. */
    public long estimatedBytes() {
        Response r = response;
        WebSocketMessages ws = webSocket;
        return 200L + request.estimatedBytes() + (r == null ? 0 : r.estimatedBytes()) + (ws == null ? 0 : ws.estimatedBytes());
    }

    /** Rebuilds a finished flow from its stored form ({@link FlowRecords}). */
    static Flow restore(long id, InetSocketAddress client, Timings timings, long startNanos, Request request,
                        Response response, FlowError error, State state, boolean reusedUpstream, boolean intercepted,
                        java.util.List<String> appliedRules, String serverAddress, long bytesFromClient, long bytesToClient,
                        java.util.List<String> notes, long replayOf, TlsHandshake clientTls, TlsHandshake upstreamTls,
                        WebSocketMessages webSocket) {
        Flow flow = new Flow(id, client, timings.started(), startNanos, request);
        flow.response = response;
        flow.error = error;
        flow.reusedUpstream = reusedUpstream;
        flow.intercepted = intercepted;
        flow.appliedRules.addAll(appliedRules);
        flow.notes.addAll(notes);
        flow.replayOf = replayOf;
        flow.webSocket = webSocket;
        flow.serverAddress = serverAddress;
        flow.clientTls = clientTls;
        flow.upstreamTls = upstreamTls;
        flow.bytesFromClient = bytesFromClient;
        flow.bytesToClient = bytesToClient;
        flow.timings = timings;
        flow.state = state;
        return flow;
    }

    private void snapshotTimings(long endNanos) {
        timings = new Timings(started, dnsNanos, connectNanos, sslNanos, sendNanos, waitNanos, receiveNanos, endNanos - startNanos);
    }

    @Override
    public String toString() {
        Response r = response;
        return "#" + id + " " + request + (r == null ? "" : " -> " + r.status()) + " [" + state + "]";
    }
}
