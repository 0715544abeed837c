package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.live.LiveFlow;
import dev.wiretap.proxy.flow.Request;
import dev.wiretap.proxy.upstream.ReservedConnection;
import java.io.IOException;

/**
 * The client's side of an {@link Exchange}: where its request came from and where its response goes. The exchange
 * reaches the client only through this, so that it does not care what carries it: an HTTP/1 connection
 * ({@link ClientSession}: one exchange at a time, one after another) or an HTTP/2 stream (one exchange per stream, many
 * at once on a connection). The bytes of a request's body and of a response are not in here: the handlers that move
 * them speak the client's protocol.
 *
 * <p>Called on the thread that serves the exchange.
 */
interface Downstream {

    /** Bytes written towards the client so far: what an exchange wrote is the difference from its start to its end. */
    long bytesWritten();

    /**
     * Records a response wiretap made itself on {@code flow} and writes it whole (without a body after HEAD).
     * {@code close} tells the client that its connection closes after it.
     */
    void send(LocalResponse response, LiveFlow flow, boolean close) throws IOException;

    /** Cuts the client off without (the rest of) a response, so that it cannot take a cut-off one for whole. */
    void abort();

    /**
     * Whether the client's connection may carry another exchange after {@code request}'s, as far as the client and
     * wiretap are concerned: wiretap is not stopping and the client did not ask to close.
     */
    boolean mayCarryOn(Request request);

    /**
     * How the connection closes after wiretap answered {@code request} with an error and will not read on:
     * {@link Outcome#LINGER} while the client may still be sending what wiretap did not read, else {@link Outcome#CLOSE}.
     */
    Outcome closing(Request request) throws IOException;

    /**
     * Inside an intercepted tunnel, the connection to the origin opened at the CONNECT, while it still waits for the
     * tunnel's first request; else null.
     */
    ReservedConnection reserved();

    /** Closes the connection {@link #reserved()} unless a request took it: nobody else may use it. */
    void closeReserved();

    /**
     * The TLS name for an upstream connection serving {@code destination}: inside a tunnel, the client's SNI when the
     * request still goes to the tunnel's origin and the SNI named something else; else null (the destination's host).
     */
    String tlsNameFor(Destination destination);
}
