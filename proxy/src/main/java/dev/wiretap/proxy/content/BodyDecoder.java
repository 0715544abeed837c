package dev.wiretap.proxy.content;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Undoes a body's content codings (Content-Encoding, possibly stacked as in {@code gzip, br}) for showing, filtering,
 * editing and exporting. Never throws for bad data: a truncated capture, corrupt data, an unknown coding or a
 * decompression bomb each end in a {@link DecodedBody} with what could be decoded and a note saying why it stopped.
 *
 * <p>Stateless and thread-safe; decoding runs on the caller's thread (the console's, the log's or the exporter's, never
 * the proxy's connection threads, since decoding a captured megabyte takes milliseconds).
 */
public final class BodyDecoder {

    /** The decoded size shown or exported at most by default: a 1 MiB capture of a bomb cannot take the heap. */
    public static final int DEFAULT_MAX_DECODED_BYTES = 64 << 20;

    private BodyDecoder() {
    }

    /** Decodes {@code body} per the Content-Encoding fields of {@code headers}, up to the default limit. */
    public static DecodedBody decode(Headers headers, Body body) {
        return decode(ContentCoding.listed(headers), body.bytes(), body.isTruncated(), DEFAULT_MAX_DECODED_BYTES);
    }

    /**
     * Undoes {@code codings} (in the order they were applied, as Content-Encoding lists them) over {@code captured}.
     *
     * @param truncated whether {@code captured} stops short of the body that flowed (the capture cap)
     * @param maxBytes  at most this many decoded bytes are kept
     */
    public static DecodedBody decode(List<String> codings, byte[] captured, boolean truncated, int maxBytes) {
        if (codings.isEmpty() || captured.length == 0) {
            return new DecodedBody(captured, List.of(), DecodedBody.Outcome.COMPLETE, "");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(1024, captured.length * 4)));
        try (DecodingStream in = stream(codings, captured, truncated, maxBytes)) {
            in.transferTo(out);
            return new DecodedBody(in.codings().isEmpty() ? captured : out.toByteArray(), in.codings(), in.outcome(), in.note());
        } catch (IOException e) {
            throw new UncheckedIOException("a DecodingStream reports bad data in its outcome and writing to memory does not fail", e);
        }
    }

    /** {@code body} decoded per the Content-Encoding fields of {@code headers}, as a stream of at most {@code maxBytes}. */
    public static DecodingStream stream(Headers headers, Body body, long maxBytes) {
        return stream(ContentCoding.listed(headers), body.bytes(), body.isTruncated(), maxBytes);
    }

    /**
     * {@code captured} with {@code codings} undone, as a stream of at most {@code maxBytes} (see {@link DecodingStream});
     * the same bytes {@link #decode(List, byte[], boolean, int)} gives, without holding them.
     */
    public static DecodingStream stream(List<String> codings, byte[] captured, boolean truncated, long maxBytes) {
        return new DecodingStream(codings, captured, truncated, maxBytes);
    }
}
