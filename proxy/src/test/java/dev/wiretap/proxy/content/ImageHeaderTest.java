package dev.wiretap.proxy.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Image sizes read from headers: of images the JDK's own encoders write (PNG, JPEG, GIF, BMP), of WebP headers laid
 * out byte by byte as Google's container specification gives them, and of bodies cut short or made of noise, which
 * must never throw.
 */
class ImageHeaderTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp"})
    void readsTheSizeOfAnImageTheJdkWrote(String format) throws IOException {
        byte[] bytes = image(format, 640, 480);

        ImageHeader header = ImageHeader.read(bytes).orElseThrow();

        assertEquals(format.equals("jpeg") ? "JPEG" : format.toUpperCase(), header.format());
        assertEquals("image/" + format, header.mediaType());
        assertEquals(640, header.width());
        assertEquals(480, header.height());
    }

    @Test
    void findsAJpegFrameHeaderPastItsOtherSegments() throws IOException {
        byte[] jpeg = image("jpeg", 33, 17);
        // An APP1 segment (as EXIF data would be) of 2,000 bytes put before everything else.
        byte[] app1 = new byte[2004];
        app1[0] = (byte) 0xFF;
        app1[1] = (byte) 0xE1;
        app1[2] = (byte) (2002 >> 8);
        app1[3] = (byte) (2002 & 0xFF);
        byte[] longer = new byte[jpeg.length + app1.length];
        System.arraycopy(jpeg, 0, longer, 0, 2);
        System.arraycopy(app1, 0, longer, 2, app1.length);
        System.arraycopy(jpeg, 2, longer, 2 + app1.length, jpeg.length - 2);

        ImageHeader header = ImageHeader.read(longer).orElseThrow();

        assertEquals(33, header.width());
        assertEquals(17, header.height());
    }

    @Test
    void readsTheThreeKindsOfWebP() {
        // Lossy: a VP8 chunk; frame tag, start code 9d 01 2a, then 14-bit width and height (RFC 6386 section 9.1).
        byte[] lossy = webp("VP8 ", 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 800 & 0xFF, 800 >> 8, 600 & 0xFF, 600 >> 8);
        // Lossless: a VP8L chunk; signature 0x2f, then width - 1 and height - 1 in 14 bits each.
        int bits = (300 - 1) | ((200 - 1) << 14);
        byte[] lossless = webp("VP8L", 0x2F, bits & 0xFF, (bits >> 8) & 0xFF, (bits >> 16) & 0xFF, (bits >> 24) & 0xFF);
        // Extended: a VP8X chunk; flags, three reserved bytes, then canvas width - 1 and height - 1 in 24 bits each.
        byte[] extended = webp("VP8X", 0x10, 0, 0, 0, 1999 & 0xFF, 1999 >> 8, 0, 99, 0, 0);

        assertEquals(new ImageHeader("WebP", "image/webp", 800, 600), ImageHeader.read(lossy).orElseThrow());
        assertEquals(new ImageHeader("WebP", "image/webp", 300, 200), ImageHeader.read(lossless).orElseThrow());
        assertEquals(new ImageHeader("WebP", "image/webp", 2000, 100), ImageHeader.read(extended).orElseThrow());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png", "jpeg", "gif", "bmp"})
    void knowsTheFormatOfAnImageCutBeforeItsSizeAndSaysTheSizeIsUnknown(String format) throws IOException {
        byte[] whole = image(format, 64, 64);
        int cut = switch (format) {
            case "png" -> 20;
            case "gif" -> 8;
            case "bmp" -> 20;
            default -> 4;
        };

        ImageHeader header = ImageHeader.read(Arrays.copyOf(whole, cut)).orElseThrow();

        assertFalse(header.hasSize(), header.toString());
    }

    @Test
    void neverThrowsOnNoiseAfterASignature() {
        byte[][] signatures = {
            {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
            {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
            {'G', 'I', 'F', '8', '9', 'a'},
            {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L'},
            {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'X'},
            {'B', 'M', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0},
        };
        Random random = new Random(7);
        for (byte[] signature : signatures) {
            for (int n = 0; n < 2_000; n++) {
                byte[] bytes = Arrays.copyOf(signature, signature.length + random.nextInt(64));
                for (int i = signature.length; i < bytes.length; i++) {
                    bytes[i] = (byte) random.nextInt(256);
                }
                Optional<ImageHeader> header = ImageHeader.read(bytes);
                assertTrue(header.isPresent());
                assertTrue(header.get().width() >= -1 && header.get().height() >= -1, header.get().toString());
            }
        }
    }

    @Test
    void aBmpHeaderWithAHugeSizeSaysTheSizeIsUnknownRatherThanWrapAround() {
        byte[] bmp = new byte[26];
        bmp[0] = 'B';
        bmp[1] = 'M';
        bmp[14] = 40;
        bmp[25] = (byte) 0x80; // height Integer.MIN_VALUE: "top-down", and past int once made positive
        bmp[18] = 10;

        ImageHeader header = ImageHeader.read(bmp).orElseThrow();

        assertFalse(header.hasSize(), header.toString());
    }

    @Test
    void textIsNoImage() {
        assertEquals(Optional.empty(), ImageHeader.read("{\"json\": true}".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertEquals(Optional.empty(), ImageHeader.read(new byte[0]));
    }

    @Test
    void magicBytesNameTheCommonBinaryFormats() {
        assertEquals(Optional.of("application/pdf"), MagicBytes.mediaType("%PDF-1.7\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertEquals(Optional.of("application/zip"), MagicBytes.mediaType(new byte[] {'P', 'K', 3, 4, 20, 0}));
        assertEquals(Optional.of("font/woff2"), MagicBytes.mediaType(new byte[] {'w', 'O', 'F', '2', 0, 1}));
        assertEquals(Optional.of("application/wasm"), MagicBytes.mediaType(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0}));
        assertEquals(Optional.empty(), MagicBytes.mediaType(new byte[] {0, 1, 2, 3}));
    }

    static byte[] image(String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, (x * 7) << 16 | (y * 3) << 8 | (x ^ y));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "the JDK has no " + format + " writer");
        return out.toByteArray();
    }

    private static byte[] webp(String chunk, int... data) {
        byte[] bytes = new byte[20 + Math.max(data.length, 10)];
        System.arraycopy("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 0, 4);
        int riffSize = bytes.length - 8;
        bytes[4] = (byte) riffSize;
        System.arraycopy("WEBP".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 8, 4);
        System.arraycopy(chunk.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, bytes, 12, 4);
        bytes[16] = (byte) data.length;
        for (int i = 0; i < data.length; i++) {
            bytes[20 + i] = (byte) data[i];
        }
        return bytes;
    }
}
