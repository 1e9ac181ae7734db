package dev.cairn.benchmarks.restore;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotDataset;
import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.SnapshotWorkload;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.benchmarks.snapshot.SnapshotSystems;
import java.util.ArrayList;
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
 * Rescaling a RocksDB state of {@link Profile#rescaleStateBytes} (224-byte entries; 2.2 GB, 10 M keys in the full
 * profile) from incremental checkpoints, as apache/flink-benchmarks' rescaling benchmark does, max parallelism 128.
 * {@code in} (2 → 1): the checkpoints of two backends for key groups [0, 63] and [64, 127] are restored into one
 * backend for [0, 127]. {@code out} (1 → 2): the checkpoint of one backend for [0, 127] is restored into the
 * backend of subtask 0, [0, 63]; only that side is timed, as in Flink's benchmark. Checkpoints are written once per
 * trial and kept on disk; every shot creates a new backend (timed), checks a sample of keys and closes it (untimed).
 * Both systems run with their default rescale options.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class RescaleBenchmark {
    private static final int HALF = SnapshotWorkload.MAX_PARALLELISM / 2;
    private static final int LAST_KEY_GROUP = SnapshotWorkload.MAX_PARALLELISM - 1;

    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    /** {@code in} (2 → 1) or {@code out} (1 → 2). */
    @Param({"in", "out"})
    public String direction;

    private SnapshotSystem snapshotSystem;
    private SnapshotDataset data;
    private final List<Object> snapshots = new ArrayList<>();
    private int targetLastKeyGroup;
    private SnapshotBackend restored;

    @Setup(Level.Trial)
    public void snapshot() {
        snapshotSystem = SnapshotSystems.create(system, true);
        try {
            data = new SnapshotDataset(snapshotSystem, Profile.current().rescaleStateBytes,
                    SnapshotWorkload.RESCALE_VALUE_BYTES);
            switch (direction) {
                case "in" -> {
                    snapshots.add(checkpoint(0, HALF - 1, 1));
                    snapshots.add(checkpoint(HALF, LAST_KEY_GROUP, 2));
                    targetLastKeyGroup = LAST_KEY_GROUP;
                }
                case "out" -> {
                    snapshots.add(checkpoint(0, LAST_KEY_GROUP, 1));
                    targetLastKeyGroup = HALF - 1;
                }
                default -> throw new IllegalArgumentException("direction must be in or out, was " + direction);
            }
        } catch (RuntimeException e) {
            snapshotSystem.close();
            throw e;
        }
    }

    private Object checkpoint(int firstKeyGroup, int lastKeyGroup, long checkpointId) {
        try (SnapshotBackend source = snapshotSystem.create(firstKeyGroup, lastKeyGroup, List.of())) {
            data.load(source, firstKeyGroup, lastKeyGroup);
            Object handle = source.snapshot(checkpointId, false).handle();
            source.notifyCheckpointComplete(checkpointId);
            return handle;
        }
    }

    @Benchmark
    public SnapshotBackend rescale() {
        restored = snapshotSystem.create(0, targetLastKeyGroup, snapshots);
        return restored;
    }

    @TearDown(Level.Iteration)
    public void checkAndClose() {
        if (restored != null) {
            try {
                data.verify(restored, 0, targetLastKeyGroup);
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
