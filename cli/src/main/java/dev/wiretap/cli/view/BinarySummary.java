package dev.wiretap.cli.view;

import dev.wiretap.cli.Sizes;
import dev.wiretap.proxy.content.ImageHeader;
import dev.wiretap.proxy.content.MagicBytes;
import dev.wiretap.proxy.content.MediaType;
import java.util.Optional;

/**
 * The one line that stands for a binary body where text cannot: what it is and how large, and for an image its size in
 * pixels ({@code PNG image, 640 × 480 pixels, 12.1k (12,388 bytes)}). What it is comes from the bytes themselves
 * ({@link ImageHeader}, {@link MagicBytes}) before the Content-Type, which is named too when it says otherwise, so a
 * mislabelled body shows for what it is. Stateless.
 */
final class BinarySummary {

    private BinarySummary() {
    }

    /**
     * @param declared the message's Content-Type
     * @param bytes    the body as shown (its codings undone)
     * @param size     the body's size in bytes (the whole of it, when only part was captured)
     */
    static String of(MediaType declared, byte[] bytes, long size) {
        StringBuilder sb = new StringBuilder(80);
        Optional<ImageHeader> image = ImageHeader.read(bytes);
        String actual;
        if (image.isPresent()) {
            ImageHeader h = image.get();
            actual = h.mediaType();
            sb.append(h.format()).append(" image, ");
            if (h.hasSize()) {
                sb.append(h.width()).append(" × ").append(h.height()).append(" pixels, ");
            } else {
                sb.append("size in pixels not in its header, ");
            }
        } else {
            Optional<String> sniffed = MagicBytes.mediaType(bytes);
            actual = sniffed.orElse(declared.essence());
            sb.append(actual.isEmpty() ? "binary data" : actual).append(", ");
        }
        sb.append(size(size));
        String said = declared.essence();
        if (!said.isEmpty() && !said.equals(actual) && !said.equals("application/octet-stream")) {
            sb.append(" (the Content-Type says ").append(said).append(')');
        }
        return sb.toString();
    }

    private static String size(long bytes) {
        String exact = String.format(java.util.Locale.ROOT, "%,d byte%s", bytes, bytes == 1 ? "" : "s");
        return bytes < 1024 ? exact : Sizes.human(bytes) + " (" + exact + ")";
    }
}
