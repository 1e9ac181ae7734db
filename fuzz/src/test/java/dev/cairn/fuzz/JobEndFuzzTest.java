package dev.cairn.fuzz;

import dev.cairn.format.JobEndFormat;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link JobEndFormat#read}, seeded with the job-end records the storage wrote for both backends. */
class JobEndFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("job-end");

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().jobEnd);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.resealed(input) ? FuzzHarness.resealWhole(FuzzHarness.body(input))
                : FuzzHarness.body(input);
        HARNESS.check(() -> JobEndFormat.read(FuzzHarness.ROOT + "job/_job-ended", bytes));
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
