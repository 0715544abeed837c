package dev.wiretap.proxy.content;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The media type a body's first bytes announce (its "magic number"), for the common binary formats of web traffic:
 * the images {@link ImageHeader} reads, and PDF, ZIP, gzip, WebAssembly, WOFF fonts, MP4 and Ogg. A summary of a
 * binary body names it when the Content-Type is missing, generic ({@code application/octet-stream}) or wrong.
 * Stateless.
 */
public final class MagicBytes {

    private MagicBytes() {
    }

    /** The media type {@code bytes} begin like, if one of those known here. */
    public static Optional<String> mediaType(byte[] bytes) {
        Optional<ImageHeader> image = ImageHeader.read(bytes);
        if (image.isPresent()) {
            return Optional.of(image.get().mediaType());
        }
        if (startsWith(bytes, 0, "%PDF-")) {
            return Optional.of("application/pdf");
        }
        if (startsWith(bytes, 0, "PK\u0003\u0004") || startsWith(bytes, 0, "PK\u0005\u0006")) {
            return Optional.of("application/zip");
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B && bytes[2] == 8) {
            return Optional.of("application/gzip");
        }
        if (startsWith(bytes, 0, "\u0000asm")) {
            return Optional.of("application/wasm");
        }
        if (startsWith(bytes, 0, "wOFF")) {
            return Optional.of("font/woff");
        }
        if (startsWith(bytes, 0, "wOF2")) {
            return Optional.of("font/woff2");
        }
        if (startsWith(bytes, 4, "ftyp")) {
            return Optional.of(startsWith(bytes, 8, "avif") ? "image/avif" : "video/mp4");
        }
        if (startsWith(bytes, 0, "OggS")) {
            return Optional.of("application/ogg");
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int offset, String signature) {
        byte[] expected = signature.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (bytes[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
