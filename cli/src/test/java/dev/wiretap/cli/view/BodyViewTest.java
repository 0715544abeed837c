package dev.wiretap.cli.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wiretap.proxy.flow.Body;
import dev.wiretap.proxy.flow.BodyCapture;
import dev.wiretap.proxy.flow.Headers;
import dev.wiretap.proxy.testing.Encodings;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class BodyViewTest {

    @Test
    void prettyPrintsJsonKeepingKeyOrderDuplicatesAndNumbersAsWritten() {
        String json = "{\"b\":1,\"a\":[true,null,1.10],\"a\":\"x\",\"big\":123456789012345678901234567890}";

        BodyView view = BodyView.of(Headers.of("Content-Type", "application/json"), body(json));

        assertEquals(BodyView.Kind.JSON, view.kind());
        assertEquals(List.of(
                "{",
                "  \"b\" : 1,",
                "  \"a\" : [",
                "    true,",
                "    null,",
                "    1.10",
                "  ],",
                "  \"a\" : \"x\",",
                "  \"big\" : 123456789012345678901234567890",
                "}"), view.render(80, 100, false));
    }

    @Test
    void prettyPrintsGzippedJsonOfAVendorType() throws Exception {
        byte[] gzipped = Encodings.gzip("[1,2]".getBytes(StandardCharsets.UTF_8));

        BodyView view = BodyView.of(Headers.of("Content-Type", "application/problem+json", "Content-Encoding", "gzip"),
                Body.of(gzipped));

        assertEquals(List.of("[", "  1,", "  2", "]"), view.render(80, 100, false));
    }

    @Test
    void prettyPrintsJsonLinesOneValueAfterAnother() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "application/json"), body("{\"a\":1}\n{\"b\":2}\n"));

        assertEquals(List.of("{", "  \"a\" : 1", "}", "{", "  \"b\" : 2", "}"), view.render(80, 100, false));
    }

    @Test
    void showsInvalidJsonAsTextSayingWhere() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "application/json"), body("{\"a\": nope}"));

        assertEquals(BodyView.Kind.TEXT, view.kind());
        List<String> lines = view.render(200, 100, false);
        assertEquals("{\"a\": nope}", lines.get(0));
        assertTrue(lines.get(1).startsWith("(not valid JSON (line 1, column "), lines.get(1));
        assertTrue(lines.get(1).endsWith("; shown as text)"), lines.get(1));
    }

    @Test
    void recognisesJsonWithoutAContentType() {
        BodyView view = BodyView.of(new Headers(), body("  {\"ok\":true}"));

        assertEquals(BodyView.Kind.JSON, view.kind());
        assertEquals(List.of("{", "  \"ok\" : true", "}"), view.render(80, 10, false));
    }

    @Test
    void readsTextInTheCharsetTheContentTypeNames() {
        byte[] latin1 = "gr\u00fc\u00dfe\r\nzweite Zeile\n".getBytes(Charset.forName("ISO-8859-1"));

        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain; charset=\"ISO-8859-1\""), Body.of(latin1));

        assertEquals(BodyView.Kind.TEXT, view.kind());
        assertEquals(List.of("gr\u00fc\u00dfe", "zweite Zeile"), view.render(80, 10, false));
    }

    @Test
    void notesAnUnknownCharsetAndFallsBackToUtf8() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain; charset=klingon"), body("qapla'"));

        assertEquals(List.of("qapla'", "(unknown charset 'klingon': shown as UTF-8)"), view.render(80, 10, false));
    }

    @Test
    void makesControlCharactersVisibleSoABodyCannotDriveTheTerminal() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain"),
                body("\u001b[2Jcleared?\u0007\tx\u202Eevil"));

        assertEquals(List.of("^[[2Jcleared?^G x<U+202E>evil"), view.render(80, 10, false));
    }

    @Test
    void showsBinaryAsAHexDumpOnRequest() {
        byte[] bytes = new byte[20];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 13 + 60);
        }

        BodyView view = BodyView.of(Headers.of("Content-Type", "image/png"), Body.of(bytes));

        assertEquals(BodyView.Kind.BINARY, view.kind());
        assertEquals(List.of(
                "00000000  3c 49 56 63 70 7d 8a 97  a4 b1 be cb d8 e5 f2 ff  |<IVcp}..........|",
                "00000010  0c 19 26 33                                       |..&3|"), view.hexLines(80));
        assertEquals(List.of(
                "00000000  3c 49 56 63 70 7d 8a 97  |<IVcp}..|",
                "00000008  a4 b1 be cb d8 e5 f2 ff  |........|",
                "00000010  0c 19 26 33              |..&3|"), view.hexLines(60));
    }

    @Test
    void showsAnImageAsItsFormatPixelsAndSizeRatherThanHex() throws Exception {
        byte[] png = image("png", 640, 480);

        BodyView view = BodyView.of(Headers.of("Content-Type", "image/png"), Body.of(png));

        assertEquals(List.of("[PNG image, 640 × 480 pixels, " + size(png.length) + "]"), view.render(100, 10, false));
    }

    @Test
    void namesAnImageByItsBytesWhenTheContentTypeSaysOtherwise() throws Exception {
        byte[] jpeg = image("jpeg", 20, 10);

        BodyView view = BodyView.of(Headers.of("Content-Type", "image/png"), Body.of(jpeg));

        assertEquals(List.of("[JPEG image, 20 × 10 pixels, " + size(jpeg.length) + " (the Content-Type says image/png)]"),
                view.render(120, 10, false));
    }

    @Test
    void summarisesOtherBinaryByItsTypeAndSize() {
        byte[] pdf = "%PDF-1.7\n\u0000\u0001\u0002".getBytes(StandardCharsets.ISO_8859_1);

        assertEquals(List.of("[application/pdf, 12 bytes]"),
                BodyView.of(Headers.of("Content-Type", "application/octet-stream"), Body.of(pdf)).render(80, 10, false));
        assertEquals(List.of("[binary data, 4 bytes]"), BodyView.of(new Headers(), Body.of(new byte[] {0, 1, 2, 'a'})).render(80, 10, false));
    }

    @Test
    void summarisesAGzippedImageDecoded() throws Exception {
        byte[] gif = image("gif", 7, 9);

        BodyView view = BodyView.of(Headers.of("Content-Type", "image/gif", "Content-Encoding", "gzip"), Body.of(Encodings.gzip(gif)));

        assertEquals(List.of("[GIF image, 7 × 9 pixels, " + size(gif.length) + "]"), view.render(80, 10, false));
        assertEquals(view.hexLines(80).size(), (gif.length + 15) / 16);
    }

    @Test
    void anImageCutBeforeItsSizeIsStillNamedAndNothingBreaks() throws Exception {
        byte[] png = image("png", 100, 100);
        BodyCapture capture = new BodyCapture(12, png.length);
        capture.add(png, 0, png.length);

        BodyView view = BodyView.of(Headers.of("Content-Type", "image/png"), capture.finish());

        assertEquals(List.of("[PNG image, size in pixels not in its header, " + size(png.length) + "]",
                "(truncated at capture cap: 12 of " + png.length + " bytes captured)"), view.render(100, 10, false));
    }

    @Test
    void sniffsBinaryWhenThereIsNoContentType() {
        BodyView view = BodyView.of(new Headers(), Body.of(new byte[] {0, 1, 2, 'a'}));

        assertEquals(BodyView.Kind.BINARY, view.kind());
    }

    @Test
    void trimsToTheLinesGivenAndSaysHowManyMoreThereAre() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 50; i++) {
            sb.append("line ").append(i).append('\n');
        }

        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain"), body(sb.toString()));

        assertEquals(List.of("line 1", "line 2", "line 3", "line 4", "... 46 more lines"), view.render(80, 5, false));
        assertEquals(50, view.lines(80).size());
    }

    @Test
    void cutsOrWrapsLongLinesToTheWidth() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain"), body("abcdefghijklmnopqrstuvwxyz"));

        assertEquals(List.of("abcdefghi…"), view.render(10, 5, false));
        assertEquals(List.of("abcdefghij", "klmnopqrst", "uvwxyz"), view.render(10, 5, true));
    }

    @Test
    void countsWideCharactersAsTwoColumns() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain; charset=utf-8"), body("\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8"));

        assertEquals(List.of("\u65e5\u672c\u8a9e\u306e\u30c6", "\u30ad\u30b9\u30c8"), view.render(10, 5, true));
    }

    @Test
    void notesABodyTheCaptureCapCut() {
        BodyCapture capture = new BodyCapture(16, 100);
        byte[] text = "0123456789".repeat(10).getBytes(StandardCharsets.US_ASCII);
        capture.add(text, 0, text.length);

        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain"), capture.finish());

        assertEquals(List.of("0123456789012345", "(truncated at capture cap: 16 of 100 bytes captured)"), view.render(80, 10, false));
    }

    @Test
    void showsWhatParsedOfJsonTheCaptureCapCut() {
        String json = "{\"items\":[1,2,3,4,5,6,7,8,9,10]}";
        BodyCapture capture = new BodyCapture(14, json.length());
        capture.add(json.getBytes(StandardCharsets.US_ASCII), 0, json.length());

        BodyView view = BodyView.of(Headers.of("Content-Type", "application/json"), capture.finish());

        assertEquals(BodyView.Kind.JSON, view.kind());
        assertEquals(List.of("{", "  \"items\" : [", "    1,", "    2",
                "(truncated at capture cap: 14 of 32 bytes captured)", "(the JSON ends where the capture does)"),
                view.render(80, 20, false));
    }

    @Test
    void notesCorruptCompressedDataAndShowsItAsReceived() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain", "Content-Encoding", "br"), body("not brotli"));

        List<String> lines = view.render(120, 10, false);
        assertEquals("not brotli", lines.get(0));
        assertTrue(lines.get(1).startsWith("(cannot decode br: "), lines.get(1));
    }

    @Test
    void showsAnEmptyBodyAsNothing() {
        BodyView view = BodyView.of(Headers.of("Content-Type", "text/plain"), Body.EMPTY);

        assertEquals(BodyView.Kind.EMPTY, view.kind());
        assertEquals(List.of(), view.render(80, 10, false));
    }

    private static byte[] image(String format, int width, int height) throws java.io.IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertTrue(javax.imageio.ImageIO.write(image, format, out));
        return out.toByteArray();
    }

    private static String size(int bytes) {
        return bytes < 1024 ? bytes + " bytes" : dev.wiretap.cli.Sizes.human(bytes) + String.format(java.util.Locale.ROOT, " (%,d bytes)", bytes);
    }

    private static Body body(String text) {
        return Body.of(text.getBytes(StandardCharsets.UTF_8));
    }
}
