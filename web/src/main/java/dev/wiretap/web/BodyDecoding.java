package dev.wiretap.web;

import dev.wiretap.proxy.addon.FlowExchange;
import dev.wiretap.proxy.content.BodyDecoder;
import dev.wiretap.proxy.content.ContentCoding;
import dev.wiretap.proxy.content.DecodedBody;
import dev.wiretap.proxy.content.MediaType;
import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A body made ready to be shown: its content codings undone by the engine's shared decoder ({@link BodyDecoder}: gzip,
 * deflate, br, zstd, stacked ones too) exactly as the filter language's body terms see it in the UI
 * ({@link FlowExchange#decoding}): the same codings, at most the same {@value FlowExchange#MAX_DECODED_BYTES} bytes,
 * read in the same charset. So a body a {@code body:} term selected holds what the user sees. Stateless; runs on the
 * UI's connection threads, never the proxy's.
 */
final class BodyDecoding {

    private BodyDecoding() {
    }

    /** {@code body} of a message with {@code headers}, decoded as far as it can be. */
    static ShownBody show(Headers headers, Body body) {
        List<String> codings = ContentCoding.listed(headers);
        DecodedBody decoded = BodyDecoder.decode(codings, body.bytes(), body.isTruncated(), FlowExchange.MAX_DECODED_BYTES);
        Charset charset = MediaType.of(headers).javaCharset().orElse(StandardCharsets.UTF_8);
        return new ShownBody(decoded.bytes(), String.join(", ", codings), decoded.isDecoded(), decoded.note(), charset);
    }

    /**
     * A body ready to show.
     *
     * @param bytes   what to show: decoded when {@code decoded}, else as it flowed
     * @param codings the codings it flowed with ({@code gzip}, {@code br, gzip}), empty for none
     * @param decoded whether {@code bytes} has them undone
     * @param note    what to know about the decoding when it did not go to the end (a coding wiretap does not know,
     *                corrupt data, decoded from the captured part only), else empty
     * @param charset the charset its text is read in: the Content-Type's, else UTF-8
     */
    record ShownBody(byte[] bytes, String codings, boolean decoded, String note, Charset charset) {
        /** Whether the bytes shown still carry a coding, so that what they hold cannot be read from them. */
        boolean isStillEncoded() {
            return !codings.isEmpty() && !decoded;
        }
    }
}
