package dev.wiretap.proxy.upstream;

import dev.wiretap.proxy.flow.FlowError;
import java.io.IOException;

/**
 * Reaching or talking to an origin failed. Carries the kind of failure, the status to answer the client with
 * (502, or 504 for timeouts, 508 for a loop), and a short message naming the host and the cause.
 */
public final class UpstreamException extends IOException {

    private final FlowError.Kind kind;
    private final int status;

    public UpstreamException(FlowError.Kind kind, int status, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
    }

    public UpstreamException(FlowError.Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public FlowError.Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public FlowError toFlowError() {
        return new FlowError(kind, getMessage());
    }
}
