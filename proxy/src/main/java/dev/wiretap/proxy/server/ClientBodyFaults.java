package dev.wiretap.proxy.server;

import dev.wiretap.proxy.flow.FlowError;
import dev.wiretap.proxy.http1.BodyRelay.RelayException;
import dev.wiretap.proxy.io.BodyPace;
import java.io.IOException;

/**
 * What an HTTP/1 client is answered when reading its request body failed through its own fault: a body that broke its
 * framing gets 400, one that fell behind the pace ({@link BodyPace}) or went silent for too long gets 408, and either
 * closes the connection; a client that went away gets nothing. Stateless; called on the client connection's thread.
 */
final class ClientBodyFaults {

    private ClientBodyFaults() {
    }

    /** Ends {@code exchange} for the client's fault {@code e}; returns what the connection does next. */
    static Outcome answer(Exchange exchange, RelayException e) throws IOException {
        if (e.isProtocolFault()) {
            return exchange.reject(400, e.getMessage(), FlowError.Kind.CLIENT_PROTOCOL);
        }
        if (e.getCause() instanceof BodyPace.TooSlow slow) {
            return exchange.reject(408, slow.getMessage(), FlowError.Kind.CLIENT_TIMEOUT);
        }
        if (e.isTimeout()) {
            return exchange.reject(408, "the request body stalled for "
                    + LocalResponse.duration(exchange.context().settings().timeouts().clientRead()), FlowError.Kind.CLIENT_TIMEOUT);
        }
        return exchange.failClientGone("client went away while sending the body: " + e.getMessage());
    }
}
