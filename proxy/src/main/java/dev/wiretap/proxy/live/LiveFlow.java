package dev.wiretap.proxy.live;

import dev.wiretap.config.rule.Rule;
import dev.wiretap.proxy.flow.Answer;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.flow.FlowRecords;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.flow.Response;
import dev.wiretap.proxy.flow.Throttle;
import dev.wiretap.proxy.flow.Timings;
import dev.wiretap.proxy.flow.TlsHandshake;
import dev.wiretap.proxy.flow.WebSocketMessages;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The engine's side of a {@link Flow}: the one implementation of that read-only view, with the setters the engine
 * writes an exchange through (its response, its end, its sizes and phase timings, its upstream and TLS, the rules
 * and the intercept that changed it). Users, addons and the faces see it as a {@code Flow}; the engine keeps
 * references of this type where it writes. Not exported: the package is the engine's.
 *
 * <p>Mutable: only the connection thread that serves the exchange changes it, with one exception: while the flow is
 * paused by intercept ({@link #paused()}) that thread is parked, and the intercept changes the flow for the user
 * under its lock, which the thread takes again before it goes on. Fields others read are volatile, so a flow looked
 * at in the {@code FlowStore} while in flight shows a consistent, if partial, state. Listeners receive it through
 * events, in order: requested, responded, then completed or failed (with paused and released around a pause).
 */
public final class LiveFlow implements Flow {

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

    public LiveFlow(long id, InetSocketAddress client, Instant started, long startNanos, Request request) {
        this.id = id;
        this.client = Objects.requireNonNull(client);
        this.started = Objects.requireNonNull(started);
        this.startNanos = startNanos;
        this.request = Objects.requireNonNull(request);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress client() {
        return client;
    }

    @Override
    public Instant started() {
        return started;
    }

    @Override
    public long startNanos() {
        return startNanos;
    }

    @Override
    public Request request() {
        return request;
    }

    @Override
    public Optional<Response> response() {
        return Optional.ofNullable(response);
    }

    public void setResponse(Response response) {
        this.response = Objects.requireNonNull(response);
        if (state == State.REQUESTED) {
            state = State.RESPONDED;
        }
    }

    @Override
    public Optional<FlowError> error() {
        return Optional.ofNullable(error);
    }

    @Override
    public State state() {
        return state;
    }

    @Override
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

    @Override
    public java.util.List<String> appliedRules() {
        return java.util.List.copyOf(appliedRules);
    }

    /** Records that rule {@code name} changed this exchange (once per rule). */
    public void addAppliedRule(String name) {
        if (!appliedRules.contains(name)) {
            appliedRules.add(name);
        }
    }

    @Override
    public Optional<Answer> answer() {
        return Optional.ofNullable(answer);
    }

    @Override
    public void setAnswer(Answer answer) {
        this.answer = Objects.requireNonNull(answer);
    }

    @Override
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

    @Override
    public void hold(Side side) {
        if (side == Side.REQUEST) {
            holdRequest = true;
        } else {
            holdResponse = true;
        }
    }

    @Override
    public boolean isHeld(Side side) {
        return side == Side.REQUEST ? holdRequest : holdResponse;
    }

    @Override
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

    @Override
    public Optional<Side> paused() {
        return Optional.ofNullable(paused);
    }

    /** Marks the flow paused at {@code side}, or no longer paused ({@code null}). Set by the intercept. */
    public void setPaused(Side side) {
        this.paused = side;
    }

    @Override
    public void drop(String reason) {
        this.dropReason = Objects.requireNonNull(reason);
    }

    @Override
    public Optional<String> dropReason() {
        return Optional.ofNullable(dropReason);
    }

    @Override
    public java.util.List<String> notes() {
        return java.util.List.copyOf(notes);
    }

    @Override
    public void addNote(String note) {
        notes.add(Objects.requireNonNull(note));
    }

    @Override
    public Optional<WebSocketMessages> webSocket() {
        return Optional.ofNullable(webSocket);
    }

    /** Marks this exchange a WebSocket whose messages go into {@code messages}; set by the engine at the 101. */
    public void startWebSocket(WebSocketMessages messages) {
        this.webSocket = Objects.requireNonNull(messages);
    }

    @Override
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

    @Override
    public boolean isIntercepted() {
        return intercepted;
    }

    public void markIntercepted() {
        intercepted = true;
    }

    @Override
    public boolean isReusedUpstream() {
        return reusedUpstream;
    }

    @Override
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

    @Override
    public Optional<TlsHandshake> upstreamTls() {
        return Optional.ofNullable(upstreamTls);
    }

    @Override
    public Optional<TlsHandshake> clientTls() {
        return Optional.ofNullable(clientTls);
    }

    /** Sets the client side's TLS ({@code null}: the request came in plain). */
    public void setClientTls(TlsHandshake tls) {
        this.clientTls = tls;
    }

    @Override
    public long bytesFromClient() {
        return bytesFromClient;
    }

    @Override
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

    @Override
    public Timings timings() {
        Timings t = timings;
        return t != null ? t : new Timings(started, dnsNanos, connectNanos, sslNanos, sendNanos, waitNanos, receiveNanos,
                System.nanoTime() - startNanos);
    }

    @Override
    public long durationNanos() {
        return timings().totalNanos();
    }

    @Override
    public long estimatedBytes() {
        Response r = response;
        WebSocketMessages ws = webSocket;
        return 200L + request.estimatedBytes() + (r == null ? 0 : r.estimatedBytes()) + (ws == null ? 0 : ws.estimatedBytes());
    }

    /**
     * The engine's flow behind {@code flow}: total, since {@code Flow} is sealed with this one implementation. For the
     * engine's own addons (rules, intercept, replay), whose hooks receive the user's view.
     */
    public static LiveFlow of(Flow flow) {
        return switch (flow) {
            case LiveFlow live -> live;
        };
    }

    /** Rebuilds a finished flow from its stored form ({@link FlowRecords}, the only caller). */
    public static LiveFlow restore(long id, InetSocketAddress client, Timings timings, long startNanos, Request request,
                        Response response, FlowError error, State state, boolean reusedUpstream, boolean intercepted,
                        java.util.List<String> appliedRules, String serverAddress, long bytesFromClient, long bytesToClient,
                        java.util.List<String> notes, long replayOf, TlsHandshake clientTls, TlsHandshake upstreamTls,
                        WebSocketMessages webSocket) {
        LiveFlow flow = new LiveFlow(id, client, timings.started(), startNanos, request);
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
