package dev.wiretap.proxy.addon;

import dev.wiretap.config.filter.Exchange;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.ContentCoding;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Destination;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.flow.Response;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A flow seen through the filter language's {@link Exchange}: as much as the flow knows at the moment of asking. Two
 * kinds, for the two kinds of caller:
 * <ul>
 *   <li>{@link #asFlowed}: bodies are the bytes as they flowed (a gzip body stays gzip), read as UTF-8. For the rules
 *       and intercept, which decide on the connection's thread at a message's head: decoding there would make every
 *       exchange wait for it.</li>
 *   <li>{@link #decoding}: bodies with their content codings undone ({@link BodyDecoder}: gzip, deflate, br, zstd) and
 *       read in their Content-Type's charset, as {@code show} and the HAR show them. For everything that shows or
 *       selects recorded flows (the console's view, {@code --filter}, exports), on their own threads. A body is decoded
 *       only when a body term asks for it, once per exchange, and to at most {@value #MAX_DECODED_BYTES} bytes, so a
 *       small capture of a decompression bomb cannot take the heap.</li>
 * </ul>
 * Cheap to make; one per evaluation, on one thread (a decoded body is kept for the next term that asks).
 */
public final class FlowExchange implements Exchange {

    /** The most of a decoded body a filter reads: 16 MiB (a 1 MiB capture of text decodes to a few MiB). */
    public static final int MAX_DECODED_BYTES = 16 << 20;

    private final Flow flow;
    private final boolean decode;
    private String requestText;
    private String responseText;

    private FlowExchange(Flow flow, boolean decode) {
        this.flow = flow;
        this.decode = decode;
    }

    /** The flow with its bodies as they flowed: for rules and intercept, on the connection's thread. */
    public static FlowExchange asFlowed(Flow flow) {
        return new FlowExchange(flow, false);
    }

    /** The flow with its bodies decoded when a term asks: for showing and selecting recorded flows, off the proxy's threads. */
    public static FlowExchange decoding(Flow flow) {
        return new FlowExchange(flow, true);
    }

    @Override
    public java.util.List<String> protocols() {
        String client = flow.request().version().alpn();
        String origin = flow.response().map(r -> r.version().alpn()).orElse(client);
        return origin.equals(client) ? java.util.List.of(client) : java.util.List.of(client, origin);
    }

    @Override
    public String method() {
        return flow.request().method();
    }

    @Override
    public String url() {
        return flow.request().url();
    }

    @Override
    public String host() {
        return flow.request().destination().map(Destination::host).orElse("");
    }

    @Override
    public String pathAndQuery() {
        return flow.request().destination().map(Destination::pathAndQuery).orElse(flow.request().target());
    }

    @Override
    public Optional<Integer> status() {
        return flow.response().map(Response::status);
    }

    @Override
    public List<String> requestHeader(String name) {
        return flow.request().headers().all(name);
    }

    @Override
    public List<String> responseHeader(String name) {
        return flow.response().map(r -> r.headers().all(name)).orElse(List.of());
    }

    @Override
    public String requestBodyText() {
        if (requestText == null) {
            requestText = text(flow.request().headers(), flow.request().body());
        }
        return requestText;
    }

    @Override
    public String responseBodyText() {
        if (responseText == null) {
            responseText = flow.response().map(r -> text(r.headers(), r.body())).orElse("");
        }
        return responseText;
    }

    private String text(Headers headers, Body body) {
        if (body.isEmpty()) {
            return "";
        }
        if (!decode) {
            return body.text(StandardCharsets.UTF_8);
        }
        DecodedBody decoded = BodyDecoder.decode(ContentCoding.listed(headers), body.bytes(), body.isTruncated(), MAX_DECODED_BYTES);
        Charset charset = MediaType.of(headers).javaCharset().orElse(StandardCharsets.UTF_8);
        return new String(decoded.bytes(), charset);
    }
}
