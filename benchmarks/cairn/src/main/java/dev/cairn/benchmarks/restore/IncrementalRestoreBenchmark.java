package dev.cairn.benchmarks.restore;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotDataset;
import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.SnapshotWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.benchmarks.snapshot.SnapshotSystems;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Restore, at the same parallelism, of an incremental checkpoint as the snapshot suite takes them: the state of
 * {@link Profile#snapshotStateBytes} (1 KiB values) checkpointed and completed, 10% of the keys changed, and
 * checkpointed again, so the restored checkpoint refers to files of both. Written once per trial and kept on
 * disk; every shot creates a new backend from it (timed), then checks a sample of keys and closes it (untimed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class IncrementalRestoreBenchmark {
    private static final int LAST_KEY_GROUP = SnapshotWorkload.MAX_PARALLELISM - 1;
    private static final int CHANGED_PERCENT = 10;

    @Param({Systems.CAIRN_ROCKSDB})
    public String system;

    private SnapshotSystem snapshotSystem;
    private SnapshotDataset data;
    private Object snapshot;
    private SnapshotBackend restored;

    @Setup(Level.Trial)
    public void snapshot() {
        snapshotSystem = SnapshotSystems.create(system, true);
        try {
            data = new SnapshotDataset(snapshotSystem, Profile.current().snapshotStateBytes,
                    SnapshotWorkload.SNAPSHOT_VALUE_BYTES);
            try (SnapshotBackend source = snapshotSystem.create(0, LAST_KEY_GROUP, List.of())) {
                data.load(source, 0, LAST_KEY_GROUP);
                source.snapshot(1, false);
                source.notifyCheckpointComplete(1);
                data.change(source, CHANGED_PERCENT);
                snapshot = source.snapshot(2, false).handle();
                source.notifyCheckpointComplete(2);
            }
        } catch (RuntimeException e) {
            snapshotSystem.close();
            throw e;
        }
    }

    @Benchmark
    public SnapshotBackend restoreIncremental() {
        restored = snapshotSystem.create(0, LAST_KEY_GROUP, List.of(snapshot));
        return restored;
    }

    @TearDown(Level.Iteration)
    public void checkAndClose() {
        if (restored != null) {
            try {
                data.verify(restored, 0, LAST_KEY_GROUP);
            } finally {
                restored.close();
                restored = null;
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        snapshotSystem.close();
    }
}
