package dev.wiretap.proxy.service;

import dev.wiretap.proxy.flow.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request to a service, as a handler sees it: method, path, query parameters, header fields (in wire order, case
 * kept) and the client's address; its body is read on demand, up to a limit the handler's route gives
 * ({@link #body(int)}). Made by the listener on the connection's thread, and used there.
 */
public final class ServiceRequest {

    /** The request's body, read whole or as a stream, refusing one over a limit. */
    interface BodySource {
        byte[] read(int maxBytes) throws IOException, ServiceException;

        InputStream open(long maxBytes) throws IOException, ServiceException;
    }

    private final String method;
    private final String target;
    private final String path;
    private final Map<String, List<String>> query;
    private final Headers headers;
    private final InetSocketAddress client;
    private final BodySource body;

    ServiceRequest(String method, String target, Headers headers, InetSocketAddress client, BodySource body)
            throws ServiceException {
        this.method = method;
        this.target = target;
        int q = target.indexOf('?');
        this.path = q < 0 ? target : target.substring(0, q);
        this.query = q < 0 ? Map.of() : parseQuery(target.substring(q + 1));
        this.headers = headers;
        this.client = client;
        this.body = body;
    }

    /** The method, case kept ({@code GET}). */
    public String method() {
        return method;
    }

    /** The request target as it arrived ({@code /api/flows?filter=host%3Aa}). */
    public String target() {
        return target;
    }

    /** The target's path, without the query, as it arrived (not percent-decoded). */
    public String path() {
        return path;
    }

    /** The first value of query parameter {@code name} (percent-decoded, {@code +} as a space), if given. */
    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        return values == null ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Every query parameter, in order, each with its values. */
    public Map<String, List<String>> queryParameters() {
        return query;
    }

    /** The header fields, in wire order, names' case kept. Do not change them. */
    public Headers headers() {
        return headers;
    }

    /** The first value of header field {@code name} (case-insensitive), if present. */
    public Optional<String> header(String name) {
        return headers.first(name);
    }

    public InetSocketAddress client() {
        return client;
    }

    /**
     * Reads the body whole (empty when there is none). Call it, or {@link #bodyStream}, once.
     *
     * @throws ServiceException 413 for a body over {@code maxBytes}, 400 for a malformed one
     * @throws IOException      when the client goes away or is too slow
     */
    public byte[] body(int maxBytes) throws IOException, ServiceException {
        return body.read(maxBytes);
    }

    /**
     * The body as a stream, read as it arrives, for a body too large to hold (an uploaded file); empty when there is
     * none. Call it, or {@link #body}, once, on the connection's thread. A body not read to its end when the handler
     * returns closes the connection after the answer.
     *
     * @throws ServiceException 413 at once for a body whose Content-Length is over {@code maxBytes}
     * @throws IOException      when the client goes away or is too slow; the stream's reads throw
     *                          {@link BodyStreamException} (413) when a chunked body grows over {@code maxBytes}, or
     *                          (400) when its framing is malformed, and {@link java.io.EOFException} when the client
     *                          closes before its end
     */
    public InputStream bodyStream(long maxBytes) throws IOException, ServiceException {
        return body.open(maxBytes);
    }

    /**
     * Query parameters from {@code a=1&b=x+y&c=%2F}: names and values percent-decoded as UTF-8, {@code +} a space (as
     * browsers' forms and URLSearchParams write them). A malformed escape is refused with 400.
     */
    static Map<String, List<String>> parseQuery(String query) throws ServiceException {
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (String pair : query.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        params.replaceAll((k, v) -> List.copyOf(v));
        return java.util.Collections.unmodifiableMap(params);
    }

    private static String decode(String text) throws ServiceException {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        byte[] out = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                out[n++] = ' ';
            } else if (c == '%') {
                int hi = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(text.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new ServiceException(400, "a malformed percent-escape in the query at '"
                            + text.substring(i, Math.min(text.length(), i + 3)) + "'");
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = (byte) c; // the request line holds ASCII only (the parser refuses anything else)
            }
        }
        java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
        try {
            return utf8.decode(java.nio.ByteBuffer.wrap(out, 0, n)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ServiceException(400, "a query parameter that is not UTF-8 once decoded");
        }
    }
}
