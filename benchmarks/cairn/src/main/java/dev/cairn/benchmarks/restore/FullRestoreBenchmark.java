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
 * Restore, at the same parallelism, of the full snapshot the snapshot suite takes ({@link Profile#snapshotStateBytes}
 * of value state, 1 KiB values). The snapshot is written once per trial and stays on disk; every shot creates a
 * new backend from it (timed), then checks a sample of keys and closes the backend (untimed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class FullRestoreBenchmark {
    private static final int LAST_KEY_GROUP = SnapshotWorkload.MAX_PARALLELISM - 1;

    @Param({Systems.CAIRN_MEMORY, Systems.FLINK_HEAP, Systems.CAIRN_ROCKSDB})
    public String system;

    private SnapshotSystem snapshotSystem;
    private SnapshotDataset data;
    private Object snapshot;
    private SnapshotBackend restored;

    @Setup(Level.Trial)
    public void snapshot() {
        snapshotSystem = SnapshotSystems.create(system, false);
        try {
            data = new SnapshotDataset(snapshotSystem, Profile.current().snapshotStateBytes,
                    SnapshotWorkload.SNAPSHOT_VALUE_BYTES);
            try (SnapshotBackend source = snapshotSystem.create(0, LAST_KEY_GROUP, List.of())) {
                data.load(source, 0, LAST_KEY_GROUP);
                snapshot = source.snapshot(1, true).handle();
                source.notifyCheckpointComplete(1);
            }
        } catch (RuntimeException e) {
            snapshotSystem.close();
            throw e;
        }
    }

    @Benchmark
    public SnapshotBackend restoreFull() {
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
