package dev.wiretap.proxy.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Applies content codings to a payload, the reverse of {@link BodyDecoder}: for an edited body that goes out under the
 * Content-Encoding its message names (possibly stacked, as in {@code gzip, br}). Stateless and thread-safe; runs on the
 * caller's thread (the console's, when an edit is saved).
 */
public final class BodyEncoder {

    private BodyEncoder() {
    }

    /** The first of {@code codings} that wiretap cannot apply (anything but gzip, x-gzip, deflate, br, zstd), if any. */
    public static Optional<String> unsupported(List<String> codings) {
        return codings.stream().filter(c -> ContentCoding.named(c).isEmpty()).findFirst();
    }

    /**
     * {@code payload} with {@code codings} applied in the order written (the first one first, RFC 9110 section 8.4).
     *
     * @throws IllegalArgumentException if a coding is not one wiretap can apply (see {@link #unsupported})
     */
    public static byte[] encode(List<String> codings, byte[] payload) {
        List<ContentCoding> known = new ArrayList<>(codings.size());
        for (String token : codings) {
            known.add(ContentCoding.named(token).orElseThrow(() -> new IllegalArgumentException(
                    "content coding '" + token + "' is not one wiretap can encode (gzip, deflate, br, zstd)")));
        }
        byte[] bytes = payload;
        for (ContentCoding coding : known) {
            bytes = coding.encode(bytes);
        }
        return bytes;
    }
}
