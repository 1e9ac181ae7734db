package dev.cairn.benchmarks.filemerging;

import dev.cairn.backend.rocksdb.CountingBlobStore;
import dev.cairn.backend.rocksdb.FileMergingChurn;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.filemerging.FileMergingOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Restoring the file merging churn job ({@link FileMergingChurn}) from its last retained checkpoint, with file
 * merging off, within or across checkpoints ({@code system}) on {@code file://} or S3Proxy ({@code storage}). The
 * trial runs the job for {@link Profile#churnCheckpoints} checkpoints (30; untimed) and cancels it. One shot is a
 * new run at the same parallelism (16) restored from that checkpoint without claiming it: it downloads the RocksDB
 * state (ranged reads of the merged files with merging on), processes the events the first run read after the
 * checkpoint (at most two batches) and checks every key's four states against the model when its input ends;
 * the shot ends when the run has finished and the state is verified. Secondary figures per shot:
 * {@code blobCalls} and {@code blobOpens} on Cairn's blob store and {@code requests}, the S3 HTTP requests (0 on
 * {@code file://}), and {@code keysVerified}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 1)
@Measurement(iterations = 5)
public class FileMergingRestoreBenchmark {
    @Param({Systems.CAIRN_MERGING_OFF, Systems.CAIRN_MERGING_WITHIN, Systems.CAIRN_MERGING_ACROSS})
    public String system;

    @Param({ChurnStorage.FILE, ChurnStorage.S3})
    public String storage;

    private ChurnStorage target;
    private FileMergingChurn.Spec spec;
    private CompletedCheckpoint last;
    private int shots;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Profile profile = Profile.current();
        spec = ChurnStorage.spec(profile, profile.churnCheckpoints);
        target = new ChurnStorage(system, storage);
        try {
            FileMergingChurn.Run run = FileMergingChurn.run(spec, target.storage, target.counter, target::requests,
                    target.localDirectory("run"), FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
            last = target.storage.resolve(run.last().pointer());
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try (ChurnStorage t = target) {
            target = null;
        }
    }

    /** Restores the last checkpoint into a new run, processes the rest of the input and verifies the state. */
    @Benchmark
    public long restore(Counters counters) throws Exception {
        long keys = FileMergingChurn.restoreAndVerify(spec, target.storage, last, ChurnStorage.PARALLELISM,
                target.localDirectory("restore-" + (++shots)));
        counters.keysVerified += keys;
        return keys;
    }

    /** Blob calls and S3 requests of a shot, counted around it. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long blobCalls;
        public long blobOpens;
        public long requests;
        public long keysVerified;
        private Map<String, Long> callsBefore;
        private long requestsBefore;

        @Setup(Level.Iteration)
        public void before(FileMergingRestoreBenchmark benchmark) {
            callsBefore = benchmark.target.counter.snapshot();
            requestsBefore = benchmark.target.requests();
        }

        @TearDown(Level.Iteration)
        public void after(FileMergingRestoreBenchmark benchmark) {
            Map<String, Long> calls = CountingBlobStore.difference(benchmark.target.counter.snapshot(), callsBefore);
            blobCalls = calls.values().stream().mapToLong(Long::longValue).sum();
            blobOpens = calls.getOrDefault("open", 0L);
            requests = benchmark.target.requests() - requestsBefore;
        }
    }
}
