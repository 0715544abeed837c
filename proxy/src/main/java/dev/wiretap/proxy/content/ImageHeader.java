package dev.wiretap.proxy.content;

import java.util.Optional;

/**
 * What an image's first bytes say about it: its format and its size in pixels, read from the header alone (PNG's
 * IHDR, GIF's logical screen, JPEG's start-of-frame segment, WebP's VP8, VP8L or VP8X chunk, BMP's info header), so
 * that a summary of an image body needs no image library and reads no more than the header. A body that is cut short,
 * corrupt or not what its Content-Type says never throws: the format is known from the signature, and the size only
 * when the header holds it. Immutable.
 *
 * @param format    {@code PNG}, {@code JPEG}, {@code GIF}, {@code WebP} or {@code BMP}
 * @param mediaType the format's media type, e.g. {@code image/png}
 * @param width     in pixels, or -1 when the header does not say (cut short, or corrupt)
 * @param height    in pixels, or -1 likewise
 */
public record ImageHeader(String format, String mediaType, int width, int height) {

    /** How far into a JPEG to look for its frame header: past any EXIF, ICC profile or thumbnail segments. */
    private static final int JPEG_SCAN_LIMIT = 1 << 20;

    /** Whether the header gave the image's size. */
    public boolean hasSize() {
        return width >= 0 && height >= 0;
    }

    /** The image {@code bytes} begin, if they begin with the signature of a format known here. */
    public static Optional<ImageHeader> read(byte[] bytes) {
        if (startsWith(bytes, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            boolean ihdr = startsWith(bytes, 12, 'I', 'H', 'D', 'R') && bytes.length >= 24;
            return Optional.of(sized("PNG", "image/png", ihdr ? int32(bytes, 16) : -1, ihdr ? int32(bytes, 20) : -1));
        }
        if (startsWith(bytes, 0, 'G', 'I', 'F', '8') && bytes.length >= 6 && (bytes[4] == '7' || bytes[4] == '9') && bytes[5] == 'a') {
            boolean screen = bytes.length >= 10;
            return Optional.of(new ImageHeader("GIF", "image/gif", screen ? le16(bytes, 6) : -1, screen ? le16(bytes, 8) : -1));
        }
        if (startsWith(bytes, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(jpeg(bytes));
        }
        if (startsWith(bytes, 0, 'R', 'I', 'F', 'F') && startsWith(bytes, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(webp(bytes));
        }
        if (startsWith(bytes, 0, 'B', 'M') && bytes.length >= 18 && le32(bytes, 14) >= 12 && le32(bytes, 14) <= 256) {
            return Optional.of(bmp(bytes));
        }
        return Optional.empty();
    }

    /** A size from 32-bit fields, which a lying header may fill with values past int: unknown then. */
    private static ImageHeader sized(String format, String mediaType, long width, long height) {
        boolean plausible = width >= 0 && height >= 0 && width <= Integer.MAX_VALUE && height <= Integer.MAX_VALUE;
        return new ImageHeader(format, mediaType, plausible ? (int) width : -1, plausible ? (int) height : -1);
    }

    /**
     * Walks the JPEG's segments (each a marker and a length, ITU T.81 annex B) to the first start-of-frame one, which
     * holds the size; stops at the start of scan, at the end, or at anything that is not a segment.
     */
    private static ImageHeader jpeg(byte[] bytes) {
        int pos = 2;
        int limit = Math.min(bytes.length, JPEG_SCAN_LIMIT);
        while (pos + 3 < limit) {
            if ((bytes[pos] & 0xFF) != 0xFF) {
                break;
            }
            int marker = bytes[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2; // markers without a segment
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                break; // the end, or the image data: no frame header came
            }
            int length = be16(bytes, pos + 2);
            boolean frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (frame) {
                if (length < 7 || pos + 8 >= bytes.length) {
                    break;
                }
                int height = be16(bytes, pos + 5);
                int width = be16(bytes, pos + 7);
                // A height of 0 is given later (a DNL segment): the header does not say.
                return new ImageHeader("JPEG", "image/jpeg", width, height == 0 ? -1 : height);
            }
            if (length < 2) {
                break;
            }
            pos += 2 + length;
        }
        return new ImageHeader("JPEG", "image/jpeg", -1, -1);
    }

    /** The size from the first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X, the canvas). */
    private static ImageHeader webp(byte[] bytes) {
        if (startsWith(bytes, 12, 'V', 'P', '8', ' ') && bytes.length >= 30
                && startsWith(bytes, 23, 0x9D, 0x01, 0x2A)) {
            return new ImageHeader("WebP", "image/webp", le16(bytes, 26) & 0x3FFF, le16(bytes, 28) & 0x3FFF);
        }
        if (startsWith(bytes, 12, 'V', 'P', '8', 'L') && bytes.length >= 25 && (bytes[20] & 0xFF) == 0x2F) {
            long bits = le32(bytes, 21);
            return new ImageHeader("WebP", "image/webp", (int) (bits & 0x3FFF) + 1, (int) ((bits >> 14) & 0x3FFF) + 1);
        }
        if (startsWith(bytes, 12, 'V', 'P', '8', 'X') && bytes.length >= 30) {
            return new ImageHeader("WebP", "image/webp", le24(bytes, 24) + 1, le24(bytes, 27) + 1);
        }
        return new ImageHeader("WebP", "image/webp", -1, -1);
    }

    /** BITMAPCOREHEADER (12 bytes) has 16-bit sizes; the later headers 32-bit ones, the height negative when top-down. */
    private static ImageHeader bmp(byte[] bytes) {
        long header = le32(bytes, 14);
        if (header == 12) {
            return bytes.length >= 22 ? new ImageHeader("BMP", "image/bmp", le16(bytes, 18), le16(bytes, 20))
                    : new ImageHeader("BMP", "image/bmp", -1, -1);
        }
        if (bytes.length < 26) {
            return new ImageHeader("BMP", "image/bmp", -1, -1);
        }
        long width = (int) le32(bytes, 18);
        long height = Math.abs((long) (int) le32(bytes, 22));
        return sized("BMP", "image/bmp", width, height);
    }

    private static boolean startsWith(byte[] bytes, int offset, int... expected) {
        if (bytes.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((bytes[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static long int32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    private static int be16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int le16(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    private static int le24(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16);
    }

    private static long le32(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((long) (b[i + 3] & 0xFF) << 24);
    }
}
