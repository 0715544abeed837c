package dev.wiretap.proxy.flow;

import dev.wiretap.proxy.live.LiveFlow;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One exchange through wiretap, as users, addons and the faces see it: who asked, the request, the response (when
 * there is one), the error (when there is one), the sizes on the wire and the timing of each phase. A CONNECT tunnel
 * is a flow too; its response is the 200 wiretap sent and its sizes are the bytes relayed each way.
 *
 * <p>A view: it changes as the engine serves the exchange (a flow in flight shows a consistent, if partial, state) and
 * is final once {@link #isDone()}, but nothing here writes the record of what happened. What an addon may do in its
 * hooks is here too: change {@code request()} and {@code response()} as {@link dev.wiretap.proxy.addon.Addon} says,
 * {@link #hold} a message, {@link #drop} the exchange, {@link #setAnswer answer} in the origin's place, and
 * {@link #addNote add a note}. The engine writes through its own implementation, in a package it does not export;
 * the interface is sealed so that a flow handed to a user is always the engine's.
 */
public sealed interface Flow permits LiveFlow {

    enum State {
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
    enum Side {
        REQUEST,
        RESPONSE
    }

    /** Sequence number, unique within one wiretap run, in order of arrival. */
    long id();

    InetSocketAddress client();

    Instant started();

    /** {@link System#nanoTime()} when the request began to arrive. */
    long startNanos();

    /** The request; changeable by addons in the request hooks ({@link dev.wiretap.proxy.addon.Addon#onRequestHead}). */
    Request request();

    /** The response, once its head is known; changeable by addons in the response hooks. */
    Optional<Response> response();

    Optional<FlowError> error();

    State state();

    /** Whether the flow has ended, normally or not ({@link State#COMPLETED}, {@link State#FAILED}). */
    boolean isDone();

    /** The names of the rules that changed this exchange, in the order they applied. */
    List<String> appliedRules();

    /** How wiretap is to answer in the origin's place, if an addon decided so at the request head. */
    Optional<Answer> answer();

    /**
     * Answers the request in the origin's place (the origin is not contacted), as an addon may in
     * {@link dev.wiretap.proxy.addon.Addon#onRequestHead} or {@link dev.wiretap.proxy.addon.Addon#onRequest}.
     */
    void setAnswer(Answer answer);

    /** The bandwidth limit for this exchange's bodies, if any. */
    Optional<Throttle> throttle();

    /**
     * Asks wiretap to hold this message before sending it on: its body is read into memory (whole when it fits
     * within the capture cap) and the addons' {@link dev.wiretap.proxy.addon.Addon#onRequest} or
     * {@link dev.wiretap.proxy.addon.Addon#onResponse} hook runs with it in hand. Called by an addon in the head hook
     * of that side ({@code onRequestHead}, {@code onResponseHead}); later calls have no effect.
     */
    void hold(Side side);

    /** Whether an addon asked to hold this side's message ({@link #hold}). */
    boolean isHeld(Side side);

    /**
     * Whether this side's body is in memory whole (a held message whose body fit within the capture cap), so that an
     * addon may replace it with {@code setBody} before it is sent. False for a body too large to hold, which goes on
     * as it comes.
     */
    boolean hasWholeBody(Side side);

    /** Which message the flow is paused at (intercept waits for the user), if it is paused now. */
    Optional<Side> paused();

    /**
     * Asks wiretap to drop this exchange (as an addon may in its hooks): the client connection is cut without a
     * response, the origin connection, if any, is closed, and the flow fails with {@link FlowError.Kind#DROPPED}
     * and {@code reason}.
     */
    void drop(String reason);

    /** Why an addon asked to drop this exchange, if it did. */
    Optional<String> dropReason();

    /** Notes on what happened to this exchange beyond its messages (paused, edited, timed out), in order. */
    List<String> notes();

    /** Adds a note to this exchange (an addon's word on what it did), shown with the flow and kept in its record. */
    void addNote(String note);

    /**
     * The messages of the WebSocket this exchange became after its 101 (RFC 6455), both ways, as far as kept; empty for
     * any other exchange. Grows while the socket is open.
     */
    Optional<WebSocketMessages> webSocket();

    /** For a replay: the id of the flow whose request this one sent again. */
    OptionalLong replayOf();

    /** For a CONNECT: whether wiretap opened the tunnel's TLS and read the requests inside it as flows of their own. */
    boolean isIntercepted();

    /** Whether the request went over a pooled connection that had served an earlier request. */
    boolean isReusedUpstream();

    /** The address (ip:port) of the origin or upstream proxy this flow's connection went to, or empty. */
    String serverAddress();

    /** The TLS of the connection to the origin, when it was TLS (an https request). */
    Optional<TlsHandshake> upstreamTls();

    /** The TLS between the client and wiretap, for a request read inside an intercepted tunnel. */
    Optional<TlsHandshake> clientTls();

    /** Bytes read from the client for this exchange: request head and body as framed on the wire, or tunnel bytes. */
    long bytesFromClient();

    /** Bytes written to the client for this exchange: response head(s) and body as framed on the wire, or tunnel bytes. */
    long bytesToClient();

    /** The phases so far (final once the flow is done). */
    Timings timings();

    /** Total duration in nanoseconds: final once done, else so far. */
    long durationNanos();

    /** A rough count of the heap this flow holds (the flow store's budget counts it). */
    long estimatedBytes();
}
