package dev.wiretap.proxy.content;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.Inflater;

/**
 * A captured body with its content codings undone, read as a stream: the bytes {@link BodyDecoder#decode} would give,
 * without holding them, for writers that stream a decoded body to a file or into a HAR. Never throws for bad data: a
 * truncated capture, corrupt data, an unknown coding or output past the limit end the stream, and {@link #outcome()}
 * and {@link #note()} say why once it has ended. When nothing could be decoded, the stream is the captured bytes as
 * they are ({@link #codings()} then empty), as {@link DecodedBody} is.
 *
 * <p>Decoding is deterministic: two streams over the same capture give the same bytes, so an exporter may read one to
 * measure a body and a second to write it. Mutable, for one reader on one thread; close it to free the inflaters'
 * native memory.
 */
public final class DecodingStream extends InputStream {

    private final List<String> codings;
    private final byte[] captured;
    private final boolean truncated;
    private final long maxBytes;
    private final List<Inflater> inflaters = new ArrayList<>(1);
    private InputStream in;
    /** The captured bytes as they are, when the stream is those (nothing to decode, or nothing could be). */
    private ByteArrayInputStream raw;
    private long count;
    private DecodedBody.Outcome outcome;
    private String note = "";

    /** See {@link BodyDecoder#stream(List, byte[], boolean, long)}. */
    DecodingStream(List<String> codings, byte[] captured, boolean truncated, long maxBytes) {
        this.codings = List.copyOf(codings);
        this.captured = captured;
        this.truncated = truncated;
        this.maxBytes = maxBytes;
        if (codings.isEmpty() || captured.length == 0) {
            asCaptured(DecodedBody.Outcome.COMPLETE, "");
            return;
        }
        List<ContentCoding> known = new ArrayList<>(codings.size());
        for (String token : codings) {
            Optional<ContentCoding> coding = ContentCoding.named(token);
            if (coding.isEmpty()) {
                asCaptured(DecodedBody.Outcome.UNSUPPORTED,
                        "content coding '" + token + "' is not one wiretap can decode: shown as received");
                return;
            }
            known.add(coding.get());
        }
        try {
            InputStream stream = new ByteArrayInputStream(captured);
            for (int i = known.size() - 1; i >= 0; i--) {
                stream = known.get(i).decode(stream, inflaters);
            }
            in = stream;
        } catch (IOException | RuntimeException e) {
            failed(e); // a header that is not gzip's, read when the stream is made
        }
    }

    private void asCaptured(DecodedBody.Outcome end, String why) {
        raw = new ByteArrayInputStream(captured);
        outcome = end;
        note = why;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (raw != null) {
            return raw.read(b, off, len);
        }
        if (outcome != null) {
            return -1;
        }
        try {
            if (count >= maxBytes) {
                if (in.read() >= 0) {
                    end(DecodedBody.Outcome.OUTPUT_LIMIT, names() + ": decoded output cut at " + maxBytes + " bytes");
                } else {
                    ended();
                }
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, maxBytes - count));
            if (n < 0) {
                ended();
                return -1;
            }
            count += n;
            return n;
        } catch (IOException | RuntimeException e) {
            // The decoders report bad data as IOException (gzip, deflate, brotli), MalformedInputException or
            // BrotliRuntimeException (runtime ones), and an early end as EOFException; none of them is our fault.
            failed(e);
            return raw != null ? raw.read(b, off, len) : -1;
        }
    }

    private void ended() {
        if (truncated) {
            end(DecodedBody.Outcome.CAPTURE_TRUNCATED, names() + ": decoded from the captured part only");
        } else {
            end(DecodedBody.Outcome.COMPLETE, "");
        }
    }

    private void failed(Exception e) {
        if (truncated) {
            // The capture cap cut the stream mid-way, so the decoder running out of input is expected. Decoders
            // that work a block at a time (brotli's meta-blocks) may have had no whole block to give.
            if (count == 0) {
                asCaptured(DecodedBody.Outcome.CAPTURE_TRUNCATED, names() + ": the captured part is too short to decode; shown as received");
            } else {
                end(DecodedBody.Outcome.CAPTURE_TRUNCATED, names() + ": decoded from the captured part only (" + count + " bytes)");
            }
            return;
        }
        String why = e instanceof EOFException ? "the data ends early" : "corrupt data (" + reason(e) + ")";
        if (count == 0) {
            asCaptured(DecodedBody.Outcome.CORRUPT, "cannot decode " + names() + ": " + why + "; shown as received");
        } else {
            end(DecodedBody.Outcome.CORRUPT, names() + ": " + why + " after " + count + " decoded bytes; showing those");
        }
    }

    private void end(DecodedBody.Outcome end, String why) {
        outcome = end;
        note = why;
    }

    private String names() {
        return String.join(", ", codings);
    }

    private static String reason(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** The codings undone, in the order the sender applied them; empty when the stream is the bytes as captured. */
    public List<String> codings() {
        return raw != null ? List.of() : codings;
    }

    /** How decoding ended; known once the stream has been read to its end. */
    public DecodedBody.Outcome outcome() {
        if (outcome == null) {
            throw new IllegalStateException("the stream has not been read to its end");
        }
        return outcome;
    }

    /** What the reader should know when the outcome is not {@link DecodedBody.Outcome#COMPLETE}, else empty. */
    public String note() {
        return note;
    }

    @Override
    public void close() {
        for (Inflater inflater : inflaters) {
            inflater.end();
        }
        inflaters.clear();
    }
}
