package dev.wiretap.proxy.content;

import java.util.List;

/**
 * A message body with its content codings undone as far as they could be, for showing, filtering and exporting.
 * Immutable (the array is not copied: do not change it).
 *
 * @param bytes   the decoded payload; the captured bytes unchanged when nothing could be decoded
 * @param codings the codings that were undone, in the order the sender applied them; empty when the bytes are as
 *                captured
 * @param outcome how decoding ended
 * @param note    what the reader should know when the outcome is not {@link Outcome#COMPLETE}, else empty
 */
public record DecodedBody(byte[] bytes, List<String> codings, Outcome outcome, String note) {

    public enum Outcome {
        /** Every coding was undone over the whole captured body (which may itself be truncated: see the body). */
        COMPLETE,
        /** The capture stopped at the cap mid-stream: the bytes are what the captured part decodes to. */
        CAPTURE_TRUNCATED,
        /** The data is not valid for its coding: the bytes are what decoded before the fault, or as captured. */
        CORRUPT,
        /** A coding wiretap does not know (compress, or anything else): the bytes are as captured. */
        UNSUPPORTED,
        /** Decoding made more than the limit: the bytes are the first part of the output. */
        OUTPUT_LIMIT
    }

    public DecodedBody {
        codings = List.copyOf(codings);
    }

    public boolean isComplete() {
        return outcome == Outcome.COMPLETE;
    }

    /** Whether {@link #bytes} differ from what was captured (at least one coding was undone). */
    public boolean isDecoded() {
        return !codings.isEmpty();
    }
}
