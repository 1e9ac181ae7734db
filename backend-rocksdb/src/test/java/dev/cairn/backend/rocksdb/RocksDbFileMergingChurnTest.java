package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobStores;
import dev.cairn.blob.SupportsAbandonedWriteCleanup;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.blob.SupportsBulkDelete;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.fs.LocalBlobStore;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance workload of file merging on {@code file://}: a real job on the embedded runtime with the RocksDB
 * backend (incremental), 16 keyed subtasks with four states each (value, map, list, value) whose keys are updated
 * and deleted, so RocksDB's flushes and compactions replace SST files every checkpoint; 30 completed checkpoints on
 * a real {@link LocalBlobStore}, once with merging off and once with merging on (across checkpoint boundaries
 * asked for; it falls back to merging within checkpoints on a store that does not {@link SupportsAppend}). It
 * proves, for the run with merging on, that after every completed checkpoint every merged file holds at most
 * {@value FileMergingOptions#DEFAULT_MAX_SPACE_AMPLIFICATION} x the bytes its window of checkpoints refers to and
 * that no merged file is unreferenced (measured by listing the store); that the last checkpoint restores into a
 * new run at parallelism 16 and 8 with every key's four states equal to a model; and how many blob store creates
 * merging saves. It prints creates off, creates on, their ratio, the worst amplification and the mode, and asserts
 * at least {@link #MIN_CREATE_RATIO} times fewer creates.
 */
class RocksDbFileMergingChurnTest {
    /**
     * The create reduction the issue asks for. Measured: about 61 creates per checkpoint off, 2.0 on (30x) with one
     * pool for the 16 subtasks' shared and exclusive state; with the pools split as FLIP-306 does (a shared pool per
     * subtask, exclusive per 4 subtasks) it was 12 on (5x), with both scopes per 4 subtasks 2.5 (24x).
     */
    static final double MIN_CREATE_RATIO = 20;

    /** 16 x 4 states x 30 checkpoints; 600 events per split between checkpoints (about 150 KiB per subtask). */
    static final FileMergingChurn.Spec SPEC = new FileMergingChurn.Spec(16, 4, 16, 30, 600, 4000, 1, Map.of(
            RocksDbOptions.WRITE_BUFFER_SIZE, "128kb", RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "2"));

    @TempDir
    Path dir;

    @Test
    void mergingCutsBlobCreatesKeepsTheSpaceBoundAndRestores() throws Exception {
        FileMergingChurn.Run off = run("off", Map.of());
        FileMergingChurn.Run on = run("on", Map.of(FileMergingOptions.ENABLED, "true",
                FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY, "true"));

        long createsOff = off.total("create");
        long createsOn = on.total("create");
        double ratio = (double) createsOff / createsOn;
        double opensRatio = (double) createsOff / (createsOn + on.total("append"));
        System.out.println("file-merging churn on file://, " + SPEC);
        System.out.println("  " + off.summary());
        System.out.println("  " + on.summary());
        System.out.printf(Locale.ROOT, "  creates off %d (%.1f per checkpoint), creates on %d (%.1f per checkpoint),"
                + " ratio %.2f; appends on %d (creates + appends ratio %.2f); worst amplification %.3f (bound %.1f);"
                + " mode: %s%n", createsOff, off.perCheckpoint(createsOff), createsOn, on.perCheckpoint(createsOn),
                ratio, on.total("append"), opensRatio, on.worstAmplification(),
                FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION, on.mode());

        assertThat(off.mode()).isEqualTo("merging off");
        assertThat(on.mode()).as("mode on a store %s SupportsAppend",
                storeSupportsAppend() ? "that" : "that does not").isEqualTo(storeSupportsAppend()
                        ? "merging across checkpoints" : "merging within checkpoints");
        assertThat(off.checkpoints()).allSatisfy(f -> assertThat(f.bound().mergedFiles()).isZero());
        assertThat(on.checkpoints()).as("checkpoints with merged files").allSatisfy(f -> {
            assertThat(f.bound().mergedFiles()).isPositive();
            assertThat(f.sstsUploaded()).as("SSTs uploaded by checkpoint %d", f.checkpointId())
                    .isGreaterThanOrEqualTo(SPEC.parallelism());
        });
        assertThat(on.worstAmplification()).isLessThanOrEqualTo(FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
        assertThat(off.average(FileMergingChurn.Figures::sstsUploaded) - off.average(FileMergingChurn.Figures::sstsInline))
                .as("SST files per checkpoint with merging off (several per subtask)")
                .isGreaterThanOrEqualTo(2.0 * SPEC.parallelism());
        assertThat(on.stats()).hasValueSatisfying(s -> assertThat(s.physicalFilesCreated())
                .as("physical files the merging manager created").isPositive());
        assertThat(ratio).as("blob creates off / on").isGreaterThanOrEqualTo(MIN_CREATE_RATIO);
    }

    private static boolean storeSupportsAppend() {
        try (var store = BlobStores.forLocation("file:///", Map.of())) {
            return store instanceof SupportsAppend;
        }
    }

    @Test
    void theCountingStoreKeepsExactlyTheMixInsOfTheRealStore() {
        try (var real = BlobStores.forLocation("file:///", Map.of())) {
            var counting = CountingBlobStore.wrap(real).store();
            for (Class<?> mixIn : new Class<?>[] {SupportsPrefixListing.class, SupportsBulkDelete.class,
                SupportsAbandonedWriteCleanup.class, SupportsAppend.class}) {
                assertThat(mixIn.isInstance(counting)).as("counting store is a %s", mixIn.getSimpleName())
                        .isEqualTo(mixIn.isInstance(real));
            }
            assertThat(counting).isInstanceOf(SupportsPrefixListing.class).isInstanceOf(SupportsBulkDelete.class);
        }
    }

    private FileMergingChurn.Run run(String name, Map<String, String> merging) throws Exception {
        AtomicReference<CountingBlobStore> counter = new AtomicReference<>();
        Path base = dir.resolve(name);
        FileCheckpointStorage storage = (FileCheckpointStorage) CheckpointStorages.create(
                LocalBlobStore.toLocation(base.resolve("checkpoints")), "churn", merging, real -> {
                    counter.set(CountingBlobStore.wrap(real));
                    return counter.get().store();
                });
        try (storage) {
            FileMergingChurn.Run run = FileMergingChurn.run(SPEC, storage, counter.get(), () -> 0,
                    base.resolve("local"), FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
            CompletedCheckpoint last = storage.resolve(run.last().pointer());
            for (int parallelism : new int[] {16, 8}) {
                long keys = FileMergingChurn.restoreAndVerify(SPEC, storage, last, parallelism,
                        base.resolve("restore-" + parallelism));
                System.out.printf(Locale.ROOT, "  %s: checkpoint %d restored at parallelism %d, %d keys checked%n",
                        run.mode(), last.checkpointId(), parallelism, keys);
            }
            return run;
        }
    }
}
