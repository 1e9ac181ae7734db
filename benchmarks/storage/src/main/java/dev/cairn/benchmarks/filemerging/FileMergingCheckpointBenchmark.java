package dev.cairn.benchmarks.filemerging;

import dev.cairn.backend.rocksdb.FileMergingChurn;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.filemerging.FileMergingOptions;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One checkpoint of the file merging churn job (backend-rocksdb's acceptance workload, {@link FileMergingChurn}:
 * 16 RocksDB subtasks with four keyed states each, updated and deleted), from trigger to completion, with file
 * merging off, within or across checkpoints ({@code system}) on {@code file://} or S3Proxy ({@code storage}). The
 * trial starts the job and takes the checkpoints that, with the shots of the run, make
 * {@link Profile#churnCheckpoints} (30; the warm-up and measured shots are checkpoints 27 to 30 with
 * {@code --quick}). Before each shot the sink has processed the events up to the checkpoint (untimed); during it
 * the next batch is processed, as with periodic checkpoints.
 *
 * <p>Per shot, as secondary figures: {@code blobCreates} and {@code blobCalls} on Cairn's blob store and
 * {@code requests}, the S3 HTTP requests ({@link S3RequestCounter}; 0 on {@code file://}), all counted from the
 * previous checkpoint's completion to this one's (so the deletes of the subsumed checkpoint are included), and,
 * listed after the checkpoint (untimed): {@code mergedFiles}, {@code spaceAmplification} (the bytes of the merged
 * files over the bytes the retained checkpoint refers to in them; 1 with merging off, whose files are deleted as
 * soon as no checkpoint refers to them) and {@code worstFileAmplification} (the largest size of one merged file
 * over the bytes its window of checkpoints refers to: what the bound of
 * {@value FileMergingOptions#DEFAULT_MAX_SPACE_AMPLIFICATION} limits; asserted). {@code merging-across} on S3 runs
 * merging within checkpoints (S3 cannot append; the storage logs the fallback).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 5)
@Measurement(iterations = 25)
public class FileMergingCheckpointBenchmark {
    @Param({Systems.CAIRN_MERGING_OFF, Systems.CAIRN_MERGING_WITHIN, Systems.CAIRN_MERGING_ACROSS})
    public String system;

    @Param({ChurnStorage.FILE, ChurnStorage.S3})
    public String storage;

    private ChurnStorage target;
    private FileMergingChurn.Driver driver;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        Profile profile = Profile.current();
        target = new ChurnStorage(system, storage);
        try {
            driver = FileMergingChurn.Driver.start(ChurnStorage.spec(profile, profile.churnCheckpoints),
                    target.storage, target.counter, target::requests, target.localDirectory("run"),
                    FileMergingOptions.DEFAULT_MAX_SPACE_AMPLIFICATION);
            int shots = params.getWarmup().getCount() + params.getMeasurement().getCount();
            for (int i = shots; i < profile.churnCheckpoints; i++) {
                driver.awaitBatch();
                driver.checkpoint();
                driver.measure();
            }
        } catch (Exception | Error e) {
            stop();
            throw e;
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try (ChurnStorage t = target; FileMergingChurn.Driver d = driver) {
            // closing the driver stops the job; its checkpoints go with the storage's directory
        } finally {
            driver = null;
            target = null;
        }
    }

    /** Triggers the next checkpoint and waits until it is complete. */
    @Benchmark
    public long checkpoint(Counters counters) throws Exception {
        return driver.checkpoint().checkpointId();
    }

    /** Waits, untimed, for the events before the shot's checkpoint; after it, lists the store and counts. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long blobCreates;
        public long blobCalls;
        public long requests;
        public long mergedFiles;
        public double spaceAmplification;
        public double worstFileAmplification;

        @Setup(Level.Iteration)
        public void awaitBatch(FileMergingCheckpointBenchmark benchmark) throws InterruptedException {
            benchmark.driver.awaitBatch();
        }

        @TearDown(Level.Iteration)
        public void measure(FileMergingCheckpointBenchmark benchmark) {
            FileMergingChurn.Figures f = benchmark.driver.measure();
            blobCreates = f.calls("create");
            blobCalls = f.allCalls();
            requests = f.external();
            mergedFiles = f.bound().mergedFiles();
            spaceAmplification = f.bound().amplification();
            worstFileAmplification = f.bound().worstFileAmplification();
        }
    }
}
