package dev.cairn.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.format.Envelope;
import dev.cairn.format.FormatReader;
import dev.cairn.format.IdFloorFormat;
import dev.cairn.format.JobEndFormat;
import dev.cairn.format.MetadataFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes {@link Envelope#open} with the magic numbers of every enveloped file (bits 1-3 of the mode byte choose
 * one) and the newest version 1, then reads the body to its end through {@link FormatReader}; seeded with every
 * enveloped file of the real checkpoints.
 */
class EnvelopeFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("envelope");
    private static final int[] MAGICS = {MetadataFormat.MAGIC, JobEndFormat.MAGIC, IdFloorFormat.MAGIC,
        0x43524B4D, 0x434B5348, 0x434B5342, 0x434F5348, 0x434F5345};

    static Stream<Arguments> seeds() {
        Seeds seeds = Seeds.get();
        List<byte[]> all = new ArrayList<>();
        all.addAll(seeds.metadata);
        all.addAll(seeds.jobEnd);
        all.addAll(seeds.idFloor);
        all.addAll(seeds.rocksDbMeta);
        return Seeds.arguments(all);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.resealed(input) ? FuzzHarness.resealWhole(FuzzHarness.body(input))
                : FuzzHarness.body(input);
        int magic = MAGICS[input.length == 0 ? 0 : (input[0] >>> 1) & 7];
        HARNESS.check(() -> {
            FormatReader body = Envelope.open(FuzzHarness.ROOT + "enveloped", "fuzzed file", bytes, magic, 1).body();
            while (body.remaining() >= 8) {
                body.readLong();
            }
            while (body.remaining() > 0) {
                body.readUnsignedByte();
            }
            body.expectEnd();
        });
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
