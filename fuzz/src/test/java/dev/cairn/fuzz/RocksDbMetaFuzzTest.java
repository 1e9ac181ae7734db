package dev.cairn.fuzz;

import dev.cairn.backend.rocksdb.RocksDbFormatAccess;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzzes the RocksDB backend's {@code SnapshotMetaFormat}, seeded with the meta-data streams of real incremental
 * checkpoints.
 */
class RocksDbMetaFuzzTest {
    private static final FuzzHarness HARNESS = new FuzzHarness("rocksdb-meta");

    static Stream<Arguments> seeds() {
        return Seeds.arguments(Seeds.get().rocksDbMeta);
    }

    @MethodSource("seeds")
    @FuzzTest
    void fuzz(byte[] input) {
        byte[] bytes = FuzzHarness.resealed(input) ? FuzzHarness.resealWhole(FuzzHarness.body(input))
                : FuzzHarness.body(input);
        HARNESS.check(() -> RocksDbFormatAccess.readSnapshotMeta(FuzzHarness.ROOT + "chk-2/meta", bytes));
    }

    @AfterAll
    static void report() {
        HARNESS.report();
    }
}
