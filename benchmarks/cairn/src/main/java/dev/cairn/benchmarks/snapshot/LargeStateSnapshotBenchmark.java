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
 * The goal "incremental snapshot synchronous phase under 10 ms for a 1 GB state": an incremental checkpoint of
 * the rescale suite's state ({@link Profile#rescaleStateBytes}: 2.2 GB in the full profile, 224-byte entries)
 * after 1% of the keys changed since the previous, completed checkpoint. The score is the total time;
 * {@code syncPhaseMillis} is the figure of the goal.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class LargeStateSnapshotBenchmark {
    private static final int CHANGED_PERCENT = 1;

    @Param({Systems.CAIRN_ROCKSDB})
    public String system;

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
            data = new SnapshotDataset(snapshotSystem, Profile.current().rescaleStateBytes,
                    SnapshotWorkload.RESCALE_VALUE_BYTES);
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
        data.change(backend, CHANGED_PERCENT);
    }

    @Benchmark
    public SnapshotResult incrementalSyncPhaseLarge(SnapshotIncrementalCounters counters) {
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
