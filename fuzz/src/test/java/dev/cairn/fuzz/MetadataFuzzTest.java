package dev.cairn.fuzz;

import dev.cairn.format.MetadataFormat;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzzes {@link MetadataFormat#read}, seeded with the {@code _metadata} files of real checkpoints of both backends. */
class MetadataFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("metadata");

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().metadata);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.resealed(input) ? FuzzHarness.resealWhole(FuzzHarness.body(input))
                : FuzzHarness.body(input);
        HARNESS.check(() -> MetadataFormat.read(FuzzHarness.ROOT + "chk-2/_metadata", bytes, FuzzHarness.ROOT));
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
