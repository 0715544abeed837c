package dev.wiretap.config.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wiretap.config.testing.AllocationLimit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: the filter language ({@link FilterParser}), which reads what users type in the console, the web UI and
 * {@code --filter}, and what config files hold in rules. Any text must give a {@link Filter} or a
 * {@link FilterException} with a column inside the text; a filter must read back from its own canonical form to one
 * that selects the same exchanges (unless that form nests past the limit); and matching it against three sample exchanges must not throw. Seeds: the
 * expressions of the README and the tests. See docs/reliability.md for how to fuzz it ({@code bin/fuzz}).
 */
class FilterFuzzTest {

    private static final List<Exchange> SAMPLES = List.of(FilterTest.API, FilterTest.IMAGE, FilterTest.PENDING);
    private static final AllocationLimit LIMIT = new AllocationLimit(1 << 20, 4096);

    @FuzzTest(maxDuration = "10m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void readsAnyTextAsAFilterOrAFaultWithItsColumn(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        LIMIT.check(input.length, () -> {
            Filter filter;
            try {
                filter = Filter.parse(text);
            } catch (FilterException e) {
                if (e.column() < 1 || e.column() > text.length() + 1) {
                    throw new AssertionError("column " + e.column() + " outside a " + text.length() + "-character text", e);
                }
                e.caretUnder(text);
                return;
            }
            if (filter instanceof Filter.Written written) {
                String canonical = written.filter().toString();
                Filter again;
                try {
                    again = Filter.parse(canonical);
                } catch (FilterException e) {
                    if (e.getMessage().contains("groups and negations inside one another")) {
                        return; // the canonical form groups each operator's operands, so it may nest deeper than the text
                    }
                    throw e;
                }
                String reread = again instanceof Filter.Written w ? w.filter().toString() : again.toString();
                assertEquals(canonical, reread, "the canonical form of '" + text + "' reads back differently");
                for (Exchange sample : SAMPLES) {
                    assertEquals(filter.matches(sample), again.matches(sample),
                            "'" + text + "' and its canonical form '" + canonical + "' select differently");
                }
            }
            filter.readsBodies();
            filter.readsResponse();
        });
    }
}
