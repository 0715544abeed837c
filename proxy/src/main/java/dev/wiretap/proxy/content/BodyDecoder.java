package dev.wiretap.proxy.content;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.Headers;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.Inflater;

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
        List<ContentCoding> known = new ArrayList<>(codings.size());
        for (String token : codings) {
            Optional<ContentCoding> coding = ContentCoding.named(token);
            if (coding.isEmpty()) {
                return new DecodedBody(captured, List.of(), DecodedBody.Outcome.UNSUPPORTED,
                        "content coding '" + token + "' is not one wiretap can decode: shown as received");
            }
            known.add(coding.get());
        }
        String names = String.join(", ", codings);
        List<Inflater> inflaters = new ArrayList<>(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(1024, captured.length * 4)));
        try {
            InputStream in = new ByteArrayInputStream(captured);
            for (int i = known.size() - 1; i >= 0; i--) {
                in = known.get(i).decode(in, inflaters);
            }
            if (copy(in, out, maxBytes)) {
                return new DecodedBody(out.toByteArray(), codings, DecodedBody.Outcome.OUTPUT_LIMIT,
                        names + ": decoded output cut at " + maxBytes + " bytes");
            }
            if (truncated) {
                return new DecodedBody(out.toByteArray(), codings, DecodedBody.Outcome.CAPTURE_TRUNCATED,
                        names + ": decoded from the captured part only");
            }
            return new DecodedBody(out.toByteArray(), codings, DecodedBody.Outcome.COMPLETE, "");
        } catch (IOException | RuntimeException e) {
            // The decoders report bad data as IOException (gzip, deflate, brotli), MalformedInputException or
            // BrotliRuntimeException (runtime ones), and an early end as EOFException; none of them is our fault.
            return failed(codings, names, captured, truncated, out, e);
        } finally {
            for (Inflater inflater : inflaters) {
                inflater.end();
            }
        }
    }

    private static DecodedBody failed(List<String> codings, String names, byte[] captured, boolean truncated,
                                      ByteArrayOutputStream out, Exception e) {
        if (truncated) {
            // The capture cap cut the stream mid-way, so the decoder running out of input is expected. Decoders
            // that work a block at a time (brotli's meta-blocks) may have had no whole block to give.
            if (out.size() == 0) {
                return new DecodedBody(captured, List.of(), DecodedBody.Outcome.CAPTURE_TRUNCATED,
                        names + ": the captured part is too short to decode; shown as received");
            }
            return new DecodedBody(out.toByteArray(), codings, DecodedBody.Outcome.CAPTURE_TRUNCATED,
                    names + ": decoded from the captured part only (" + out.size() + " bytes)");
        }
        String why = e instanceof EOFException ? "the data ends early" : "corrupt data (" + reason(e) + ")";
        if (out.size() == 0) {
            return new DecodedBody(captured, List.of(), DecodedBody.Outcome.CORRUPT,
                    "cannot decode " + names + ": " + why + "; shown as received");
        }
        return new DecodedBody(out.toByteArray(), codings, DecodedBody.Outcome.CORRUPT,
                names + ": " + why + " after " + out.size() + " decoded bytes; showing those");
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Copies until the end or past {@code maxBytes}; returns true if the output was cut at the limit. */
    private static boolean copy(InputStream in, ByteArrayOutputStream out, int maxBytes) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            int room = maxBytes - out.size();
            if (n > room) {
                out.write(buffer, 0, room);
                return true;
            }
            out.write(buffer, 0, n);
        }
        return false;
    }
}
