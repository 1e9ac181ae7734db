package dev.cairn.benchmarks.snapshot;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotCounters;
import dev.cairn.benchmarks.common.SnapshotDataset;
import dev.cairn.benchmarks.common.SnapshotResult;
import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.SnapshotWorkload;
import dev.cairn.benchmarks.common.Systems;
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
 * Full snapshot of {@link Profile#snapshotStateBytes} of value state (1 KiB values) into checkpoint storage on a
 * local directory, both phases on the benchmark thread: Cairn {@code FULL_CHECKPOINT} (canonical format) against
 * Flink's full snapshot strategy. One shot per iteration; the previous snapshot is completed before the next.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class FullSnapshotBenchmark {
    @Param({Systems.CAIRN_MEMORY, Systems.FLINK_HEAP, Systems.CAIRN_ROCKSDB})
    public String system;

    private SnapshotSystem snapshotSystem;
    private SnapshotBackend backend;
    private long nextCheckpointId = 1;

    @Setup(Level.Trial)
    public void load() {
        snapshotSystem = SnapshotSystems.create(system, false);
        try {
            backend = snapshotSystem.create(0, SnapshotWorkload.MAX_PARALLELISM - 1, List.of());
            SnapshotDataset data = new SnapshotDataset(snapshotSystem, Profile.current().snapshotStateBytes,
                    SnapshotWorkload.SNAPSHOT_VALUE_BYTES);
            data.load(backend, 0, SnapshotWorkload.MAX_PARALLELISM - 1);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Benchmark
    public SnapshotResult fullSnapshot(SnapshotCounters counters) {
        long id = nextCheckpointId++;
        SnapshotResult result = backend.snapshot(id, true);
        counters.syncPhaseMillis += result.syncMillis();
        counters.bytesPersisted += result.persistedBytes();
        backend.notifyCheckpointComplete(id);
        return result;
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            if (backend != null) {
                backend.close();
            }
        } finally {
            snapshotSystem.close();
        }
    }
}
