package dev.wiretap.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchedulerDefaultsTest {

    @ParameterizedTest(name = "{0} cores -> {1} carriers")
    @CsvSource({"1, 1", "2, 1", "3, 1", "4, 2", "8, 4", "64, 32"})
    void leavesHalfTheCoresToTheProgramsWiretapWatches(int cores, int carriers) {
        assertEquals(carriers, SchedulerDefaults.carriers(cores));
    }
}
