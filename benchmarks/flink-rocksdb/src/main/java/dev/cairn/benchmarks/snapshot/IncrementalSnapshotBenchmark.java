package dev.cairn.benchmarks.snapshot;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotDataset;
import dev.cairn.benchmarks.common.SnapshotIncrementalCounters;
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
 * Incremental checkpoint of {@link Profile#snapshotStateBytes} of RocksDB value state (1 KiB values) after
 * {@code changedPercent}% of the keys changed since the previous, completed checkpoint. The trial starts with a
 * completed first checkpoint of the whole state; every shot changes a new set of keys (untimed), then takes and
 * times the next checkpoint, which is completed before the next shot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class IncrementalSnapshotBenchmark {
    @Param({Systems.FLINK_ROCKSDB})
    public String system;

    @Param({"1", "10"})
    public int changedPercent;

    private SnapshotSystem snapshotSystem;
    private SnapshotBackend backend;
    private SnapshotDataset data;
    private SnapshotResult previous;
    private long nextCheckpointId = 1;

    @Setup(Level.Trial)
    public void load() {
        snapshotSystem = SnapshotSystems.create(system, true);
        try {
            backend = snapshotSystem.create(0, SnapshotWorkload.MAX_PARALLELISM - 1, List.of());
            data = new SnapshotDataset(snapshotSystem, Profile.current().snapshotStateBytes,
                    SnapshotWorkload.SNAPSHOT_VALUE_BYTES);
            data.load(backend, 0, SnapshotWorkload.MAX_PARALLELISM - 1);
            long id = nextCheckpointId++;
            previous = backend.snapshot(id, false);
            backend.notifyCheckpointComplete(id);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Setup(Level.Iteration)
    public void change() {
        data.change(backend, changedPercent);
    }

    @Benchmark
    public SnapshotResult incrementalSnapshot(SnapshotIncrementalCounters counters) {
        long id = nextCheckpointId++;
        SnapshotResult result = backend.snapshot(id, false);
        counters.syncPhaseMillis += result.syncMillis();
        counters.bytesPersisted += result.persistedBytes();
        counters.bytesFlushed += result.newSstBytes(previous);
        backend.notifyCheckpointComplete(id);
        previous = result;
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
