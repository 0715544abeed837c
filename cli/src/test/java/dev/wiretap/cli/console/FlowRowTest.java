package dev.wiretap.cli.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jline.utils.AttributedString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The flow list's rows at several terminal widths: every kind of row (done, done by a rule, failed with and without a
 * response, in flight, paused) keeps its columns in the same places, fits the width, and cuts long text at its end.
 */
class FlowRowTest {

    private static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");
    private static final String LONG_PATH = "/api/v2/customers/12345/orders?include=items,shipping,invoices&page=3&per_page=100&sort=-created";
    private static final String LONG_ERROR = "cannot resolve host clients2.google.com: no address for it (DNS lookup failed)";

    private static final FlowRow DONE = new FlowRow(7, AT, "GET", 200, "api.example.com", "/user", "json", 1234, 89_000_000L,
            FlowRow.State.DONE, "", List.of());
    private static final FlowRow BY_RULE = new FlowRow(8, AT, "POST", 201, "api.example.com", "/items", "html", 10, 1_500_000L,
            FlowRow.State.DONE, "", List.of("mock"));
    private static final FlowRow LONG_URL = new FlowRow(9, AT, "GET", 200, "shop.example.com", LONG_PATH, "javascript",
            2_000_000, 12_345_000_000L, FlowRow.State.DONE, "", List.of());
    private static final FlowRow REFUSED = new FlowRow(10, AT, "GET", -1, "127.0.0.1:1", "/", "", -1, 1_500_000L,
            FlowRow.State.FAILED, "connection refused by 127.0.0.1:1", List.of());
    private static final FlowRow NO_HOST = new FlowRow(11, AT, "GET", -1, "clients2.google.com", "/service/update2/json", "", -1,
            21_000_000L, FlowRow.State.FAILED, LONG_ERROR, List.of());
    private static final FlowRow CUT_OFF = new FlowRow(12, AT, "GET", 200, "cdn.example.com", "/big.bin", "octet-stream", 65536,
            300_000_000L, FlowRow.State.FAILED, "the origin closed the connection in the middle of the body", List.of());
    private static final FlowRow IN_FLIGHT = new FlowRow(13, AT, "GET", -1, "slow.example.com", "/wait", "", -1, -1,
            FlowRow.State.IN_FLIGHT, "", List.of());
    private static final FlowRow PAUSED = new FlowRow(14, AT, "DELETE", -1, "api.example.com", "/user/7", "", -1, -1,
            FlowRow.State.PAUSED, "", List.of());

    private static final List<FlowRow> ALL = List.of(DONE, BY_RULE, LONG_URL, REFUSED, NO_HOST, CUT_OFF, IN_FLIGHT, PAUSED);

    @ParameterizedTest
    @ValueSource(ints = {80, 100, 120, 150, 200, 300})
    void everyKindOfRowKeepsItsColumnsInTheSamePlacesWithinTheWidth(int width) {
        Map<FlowRow, String> firstLines = new java.util.LinkedHashMap<>();
        for (FlowRow row : ALL) {
            List<AttributedString> lines = row.render(width);
            for (AttributedString line : lines) {
                assertTrue(line.columnLength() < width, "wider than " + (width - 1) + ": '" + line + "'");
            }
            firstLines.put(row, lines.getFirst().toString());
        }
        int url = FlowRow.URL_COLUMN;
        for (Map.Entry<FlowRow, String> e : firstLines.entrySet()) {
            assertEquals(url, e.getValue().indexOf(e.getKey().host()), "the URL is not at column " + url + ":\n" + table(firstLines));
            assertEquals(url - 4, e.getValue().indexOf(e.getKey().status() < 0 ? (e.getKey().state() == FlowRow.State.FAILED ? "ERR" : "---")
                    : Integer.toString(e.getKey().status())), "the status is out of place:\n" + table(firstLines));
        }
        // Size and duration are right-aligned: they end in the same column on every row that has them.
        int sizeEnd = firstLines.get(DONE).indexOf("1.2k") + 4;
        int durationEnd = firstLines.get(DONE).indexOf("89ms") + 4;
        assertEquals(sizeEnd, firstLines.get(CUT_OFF).indexOf("64.0k") + 5, table(firstLines));
        assertEquals(sizeEnd, firstLines.get(BY_RULE).indexOf("10b") + 3, table(firstLines));
        assertEquals(durationEnd, firstLines.get(REFUSED).indexOf("1.5ms") + 5, table(firstLines));
        assertEquals(durationEnd, firstLines.get(NO_HOST).indexOf("21ms") + 4, table(firstLines));
        assertEquals(durationEnd, firstLines.get(IN_FLIGHT).indexOf("…", url) + 1, table(firstLines));
        assertEquals(durationEnd, firstLines.get(PAUSED).indexOf("…", url) + 1, table(firstLines));
        // The type column starts in one place, with room for the common types whole.
        int type = firstLines.get(DONE).indexOf("json");
        assertEquals(type, firstLines.get(BY_RULE).indexOf("html"), table(firstLines));
        assertEquals(type, firstLines.get(LONG_URL).indexOf("javascript"), table(firstLines));
        // The rules mark in the column after the duration.
        assertEquals(durationEnd + 1, firstLines.get(BY_RULE).indexOf("◆"), table(firstLines));
    }

    @ParameterizedTest
    @ValueSource(ints = {160, 200, 300})
    void onAWideTerminalTheUrlColumnStaysNearAndErrorsFollowTheColumns(int width) {
        String done = DONE.render(width).getFirst().toString();
        assertTrue(done.indexOf("json") <= FlowRow.URL_COLUMN + FlowRow.MAX_URL_WIDTH + 1,
                "type, size and duration pushed to the right:\n" + done);
        List<AttributedString> refused = REFUSED.render(width);
        assertEquals(1, refused.size());
        assertTrue(refused.getFirst().toString().endsWith("1.5ms   connection refused by 127.0.0.1:1"), refused.getFirst().toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 100, 120, 150, 200})
    void longTextIsCutAtItsEnd(int width) {
        String url = LONG_URL.render(width).getFirst().toString();
        int cut = url.indexOf('…');
        assertTrue(cut > FlowRow.URL_COLUMN, url);
        assertTrue(("shop.example.com" + LONG_PATH).startsWith(url.substring(FlowRow.URL_COLUMN, cut)), "not the URL's beginning: " + url);

        List<AttributedString> lines = NO_HOST.render(width);
        String error = lines.getLast().toString();
        int at = error.indexOf("cannot resolve host");
        assertTrue(at > 0, "the error does not show from its beginning:\n" + lines);
        String shown = error.substring(at);
        assertTrue(shown.equals(LONG_ERROR) || shown.endsWith("…") && LONG_ERROR.startsWith(shown.substring(0, shown.length() - 1)),
                "the error is not cut at its end: " + shown);
    }

    @ParameterizedTest
    @ValueSource(ints = {80, 100, 120, 150})
    void onANarrowTerminalTheErrorTakesALineOfItsOwnUnderTheUrl(int width) {
        List<AttributedString> lines = REFUSED.render(width);
        assertEquals(2, lines.size(), lines.toString());
        assertFalse(lines.getFirst().toString().contains("refused"), lines.getFirst().toString());
        assertEquals(" ".repeat(FlowRow.URL_COLUMN) + "connection refused by 127.0.0.1:1", lines.get(1).toString());
        assertEquals(1, DONE.render(width).size());
    }

    private static String table(Map<FlowRow, String> lines) {
        return String.join("\n", lines.values());
    }
}
