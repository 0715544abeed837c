package dev.wiretap.proxy.flow;

import dev.wiretap.config.FieldChars;
import java.util.Objects;
import java.util.Optional;

/**
 * A request as the client sent it: start line, fields in wire order and the wire copy of its head; then where
 * wiretap sends it ({@link Destination}) and what was captured of its body.
 *
 * <p>Mutable: the connection thread fills it in as the exchange goes on, and addons may change method,
 * destination and fields before it is sent. Other threads read it after an event handed it over.
 */
public final class Request {

    private volatile String method;
    private final String target;
    private final HttpVersion version;
    private final Headers headers;
    private final byte[] head;
    private volatile Destination destination;
    private volatile Body body = Body.EMPTY;

    /**
     * @param method  the method token, case kept
     * @param target  the request target exactly as received
     * @param version the version on the request line
     * @param headers the fields
     * @param head    the bytes of the whole head as they flowed (start line to empty line), handed over uncopied
     */
    public Request(String method, String target, HttpVersion version, Headers headers, byte[] head) {
        this.method = checkMethod(method);
        this.target = Objects.requireNonNull(target);
        this.version = Objects.requireNonNull(version);
        this.headers = Objects.requireNonNull(headers);
        this.head = Objects.requireNonNull(head);
    }

    public String method() {
        return method;
    }

    /** Changes the method, which must be a token (RFC 9110 section 9.1), so that no change can break the request line. */
    public void setMethod(String method) {
        this.method = checkMethod(method);
    }

    private static String checkMethod(String method) {
        Objects.requireNonNull(method);
        if (method.isEmpty() || !method.chars().allMatch(FieldChars::isTchar)) {
            throw new IllegalArgumentException("'" + method + "' is not a valid method (a token)");
        }
        return method;
    }

    /** The request target as it arrived on the request line. */
    public String target() {
        return target;
    }

    public HttpVersion version() {
        return version;
    }

    public Headers headers() {
        return headers;
    }

    /** The head's bytes exactly as they flowed. Not a copy: do not change it. */
    public byte[] wireHead() {
        return head;
    }

    /** Where the request goes; empty until wiretap has resolved the target. */
    public Optional<Destination> destination() {
        return Optional.ofNullable(destination);
    }

    public void setDestination(Destination destination) {
        this.destination = Objects.requireNonNull(destination);
    }

    /** The full URL when the destination is known ({@code host:port} for CONNECT), else the raw target. */
    public String url() {
        Destination d = destination;
        if (d == null) {
            return target;
        }
        return method.equals("CONNECT") ? d.hostPort() : d.url();
    }

    public boolean isMethod(String name) {
        return method.equals(name);
    }

    public Body body() {
        return body;
    }

    public void setBody(Body body) {
        this.body = Objects.requireNonNull(body);
    }

    /** A rough count of the heap this holds, for the flow store's budget. */
    public long estimatedBytes() {
        return 96L + head.length + 2L * target.length() + headers.estimatedBytes() + body.estimatedBytes();
    }

    @Override
    public String toString() {
        return method + " " + url() + " " + version;
    }
}
