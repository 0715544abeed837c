package dev.wiretap.proxy.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HAR reader's input: strings past the limit cut where Jackson still reads valid JSON, and each cut known. */
class HarInputTest {

    @Test
    void cutsLongStringsAtTheLimitAndSaysWhichAndHowLong() throws Exception {
        String json = "{\"short\":\"abc\",\"long\":\"" + "x".repeat(100) + "\",\"after\":[\"" + "y".repeat(9) + "\"]}";

        List<String[]> read = read(json, 8);

        assertEquals(List.of("short=abc (whole)", "long=xxxxxxxx (cut from 100)", "after=yyyyyyyy (cut from 9)"), describe(read));
    }

    @Test
    void knowsTheCutsOfStringsLongerThanTheParsersBuffers() throws Exception {
        String json = "{\"a\": {\"text\": \"" + "x".repeat(3_000_000) + "\"}, \"b\": \"" + "y".repeat(100_000) + "\", \"c\": \"z\"}";

        List<String[]> read = read(json, 20_000);

        assertEquals(List.of("text=" + "x".repeat(20_000) + " (cut from 3000000)", "b=" + "y".repeat(20_000) + " (cut from 100000)",
                "c=z (whole)"), describe(read));
    }

    @Test
    void neverCutsInsideAnEscapeOrAUtf8Character() throws Exception {
        // Each string reaches the limit in the middle of an escape (\n, \u00e9) or a two-byte character (é).
        String json = "{\"a\":\"1234567\\nzz\",\"b\":\"123456\\u00e9zz\",\"c\":\"1234567\u00e9zz\",\"d\":\"12345678\\\"zz\"}";

        List<String[]> read = read(json, 8);

        assertEquals(List.of("a=1234567\n (cut from 11)", "b=123456\u00e9 (cut from 14)", "c=1234567\u00e9 (cut from 11)",
                "d=12345678 (cut from 12)"), describe(read));
    }

    @Test
    void leavesOutAByteOrderMark() throws Exception {
        byte[] json = ("\uFEFF{\"k\":\"" + "v".repeat(20) + "\"}").getBytes(StandardCharsets.UTF_8);

        List<String[]> read = read(json, 4);

        assertEquals(List.of("k=vvvv (cut from 20)"), describe(read));
    }

    @Test
    void tellsUtf16AndUtf32FromUtf8() {
        byte[] utf16 = "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE);
        byte[] utf8 = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

        assertTrue(HarInput.looksLikeUtf16or32(utf16, utf16.length));
        assertTrue(HarInput.looksLikeUtf16or32(new byte[] {(byte) 0xFE, (byte) 0xFF, 0, '{'}, 4));
        assertFalse(HarInput.looksLikeUtf16or32(utf8, utf8.length));
    }

    private static List<String[]> read(String json, long limit) throws Exception {
        return read(json.getBytes(StandardCharsets.UTF_8), limit);
    }

    /** Each string value with its field name and, when it was cut, its length before the cut. */
    private static List<String[]> read(byte[] json, long limit) throws Exception {
        HarInput input = new HarInput(new ByteArrayInputStream(json), limit);
        List<String[]> values = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(input)) {
            String field = null;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME) {
                    field = parser.currentName();
                } else if (token == JsonToken.VALUE_STRING) {
                    String text = parser.getText(); // first: the cut is known once the string's end has been read
                    long cut = input.cutLength(parser.currentTokenLocation().getByteOffset()).orElse(-1);
                    values.add(new String[] {field, text, Long.toString(cut)});
                }
            }
        }
        return values;
    }

    private static List<String> describe(List<String[]> values) {
        return values.stream().map(v -> v[0] + "=" + v[1] + (v[2].equals("-1") ? " (whole)" : " (cut from " + v[2] + ")")).toList();
    }
}
