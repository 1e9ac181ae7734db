package dev.cairn.fuzz;

import dev.cairn.format.IdFloorFormat;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link IdFloorFormat#read}, seeded with the id floor records a clean-up of the storage wrote. */
class IdFloorFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("id-floor");

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().idFloor);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.resealed(input) ? FuzzHarness.resealWhole(FuzzHarness.body(input))
                : FuzzHarness.body(input);
        HARNESS.check(() -> IdFloorFormat.read(FuzzHarness.ROOT + "job/_checkpoint-id-floor", bytes));
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
