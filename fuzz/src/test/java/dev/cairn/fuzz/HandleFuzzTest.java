package dev.cairn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.format.FormatReader;
import dev.cairn.format.HandleFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link HandleFormat}: the first byte after the mode byte chooses a keyed (key-groups or incremental),
 * operator or stream handle; the rest is read as one. Seeded with every handle of the real checkpoints, encoded
 * as their {@code _metadata} holds them.
 */
class HandleFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("handles");

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().handles);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.body(input);
        HARNESS.check(() -> {
            FormatReader in = new FormatReader(FuzzHarness.ROOT + "chk-2/_metadata", "checkpoint metadata", bytes, 0,
                    bytes.length);
            switch (in.readUnsignedByte() % 3) {
                case 0 -> HandleFormat.readKeyed(in, FuzzHarness.ROOT, CheckpointFixture.MAX_PARALLELISM);
                case 1 -> HandleFormat.readOperator(in, FuzzHarness.ROOT);
                default -> HandleFormat.readStream(in, FuzzHarness.ROOT);
            }
            in.expectEnd();
        });
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
