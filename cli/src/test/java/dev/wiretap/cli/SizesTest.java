package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizesTest {

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({
        "0, 0b",
        "1, 1b",
        "1023, 1023b",
        "1024, 1.0k",
        "1536, 1.5k",
        "1048575, 1.0m",
        "1048576, 1.0m",
        "1073741823, 1.00g",
        "5767168, 5.5m",
        "1073741824, 1.00g",
        "1610612736, 1.50g",
    })
    void showsBytesShort(long bytes, String expected) {
        assertEquals(expected, Sizes.human(bytes));
    }

    @ParameterizedTest(name = "{0} ns -> {1}")
    @CsvSource({
        "0, 0.0ms",
        "150000, 0.2ms",
        "1500000, 1.5ms",
        "9900000, 9.9ms",
        "10000000, 10ms",
        "35400000, 35ms",
        "9999000000, 9999ms",
        "10000000000, 10.0s",
        "12340000000, 12.3s",
    })
    void showsDurationsShort(long nanos, String expected) {
        assertEquals(expected, Sizes.millis(nanos));
    }

    @Test
    void usesADecimalPointWhateverTheLocale() {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals("1.5k", Sizes.human(1536));
            assertEquals("1.5ms", Sizes.millis(1_500_000));
            assertEquals("12.3s", Sizes.millis(12_340_000_000L));
        } finally {
            Locale.setDefault(saved);
        }
    }
}
