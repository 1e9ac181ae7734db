package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.filemerging.FileMergingManager;
import dev.cairn.filemerging.FileMergingStats;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.dataflow.JobResult;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.tck.MergedSpaceBound;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Drives the {@link ChurnJob} on the embedded runtime with the RocksDB backend (incremental) for a number of
 * completed checkpoints, and measures each: the blob store calls it took (through a {@link CountingBlobStore}),
 * an external request count (e.g. HTTP requests to S3), both from the previous checkpoint's completion to its own and
 * without the test's own listing, the SST files it referred to and uploaded, and the space
 * bound of file merging, measured by listing the merged directory ({@link MergedSpaceBound}) while no checkpoint
 * is in progress and asserted after every checkpoint. Checkpoints are triggered by the driver (the periodic
 * interval is an hour): checkpoint {@code i} is triggered once the sink has processed the first
 * {@code i * eventsPerSplitPerCheckpoint} events of every split; the source dribbles records (one per millisecond)
 * until the barrier has reached every subtask of the sink, then the gate opens for the next batch, so the next batch
 * is processed while checkpoint {@code i} uploads, as with periodic checkpoints.
 */
public final class FileMergingChurn {
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofMinutes(2);

    private FileMergingChurn() {
    }

    /**
     * The workload.
     *
     * @param parallelism                 of the keyed sink
     * @param sourceParallelism           of the source
     * @param splits                      source splits; each owns {@code keysPerSplit} keys
     * @param checkpoints                 completed checkpoints to take
     * @param eventsPerSplitPerCheckpoint events of every split between two checkpoints
     * @param keysPerSplit                keys per split
     * @param retained                    retained checkpoints
     * @param rocksDb                     options of the RocksDB backend ({@link RocksDbOptions})
     */
    public record Spec(int parallelism, int sourceParallelism, int splits, int checkpoints,
            int eventsPerSplitPerCheckpoint, int keysPerSplit, int retained, Map<String, String> rocksDb) {

        /** The end of the source in a run restored after {@link #run}: every offset the first run could read. */
        long restoreLength() {
            return (long) (checkpoints + 1) * eventsPerSplitPerCheckpoint;
        }
    }

    /** What one completed checkpoint took. */
    public record Figures(long checkpointId, Map<String, Long> calls, long external, int sstsReferenced,
            int sstsUploaded, int sstsInline, long bytesUploaded, MergedSpaceBound bound, long millis) {
        public long calls(String method) {
            return calls.getOrDefault(method, 0L);
        }

        public long allCalls() {
            return calls.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A run's figures. */
    public record Run(String mode, List<Figures> checkpoints, CompletedCheckpoint last,
            Optional<FileMergingStats> stats, Map<String, Long> createsByKind, long millis) {
        public long total(String method) {
            return checkpoints.stream().mapToLong(f -> f.calls(method)).sum();
        }

        public long allCalls() {
            return checkpoints.stream().mapToLong(Figures::allCalls).sum();
        }

        public long external() {
            return checkpoints.stream().mapToLong(Figures::external).sum();
        }

        public double perCheckpoint(long total) {
            return (double) total / checkpoints.size();
        }

        public double worstAmplification() {
            return checkpoints.stream().mapToDouble(f -> f.bound().worstFileAmplification()).max().orElse(1.0);
        }

        public double worstLiveAmplification() {
            return checkpoints.stream().mapToDouble(f -> f.bound().worstLiveAmplification()).max().orElse(1.0);
        }

        public double average(java.util.function.ToLongFunction<Figures> f) {
            return checkpoints.stream().mapToLong(f).average().orElse(0);
        }

        public String summary() {
            return String.format(Locale.ROOT, "%s: %d checkpoints in %.1f s (trigger to completion %.0f ms on"
                    + " average); per checkpoint %.1f blob creates, %.1f"
                    + " blob calls, %.1f SSTs referenced, %.1f SSTs uploaded (%.1f of them inline), %.0f KiB"
                    + " uploaded; %d merged files at the end, worst file amplification %.3f against its window (%.3f against the"
                    + " retained checkpoints); calls %s%s", mode,
                    checkpoints.size(), millis / 1000.0, average(Figures::millis), perCheckpoint(total("create")),
                    perCheckpoint(allCalls()), average(Figures::sstsReferenced), average(Figures::sstsUploaded),
                    average(Figures::sstsInline), average(Figures::bytesUploaded) / 1024,
                    checkpoints.get(checkpoints.size() - 1).bound().mergedFiles(), worstAmplification(),
                    worstLiveAmplification(),
                    totals(), stats.map(s -> "; " + s).orElse("")) + String.format(Locale.ROOT,
                    "%n    blob creates per checkpoint by kind: %s", perCheckpoint(createsByKind));
        }

        private Map<String, String> perCheckpoint(Map<String, Long> counts) {
            Map<String, String> m = new java.util.TreeMap<>();
            counts.forEach((k, v) -> m.put(k, String.format(Locale.ROOT, "%.1f", perCheckpoint(v))));
            return m;
        }

        private Map<String, Long> totals() {
            Map<String, Long> t = new java.util.TreeMap<>();
            for (Figures f : checkpoints) {
                f.calls().forEach((k, v) -> t.merge(k, v, Long::sum));
            }
            return t;
        }
    }

    /** The mode file merging runs in on {@code storage}: off, within checkpoints, or across checkpoints. */
    public static String mode(FileCheckpointStorage storage) {
        return storage.fileMerging().map(FileMergingManager::options)
                .map(o -> o.acrossCheckpointBoundary() ? "across checkpoints" : "within checkpoints")
                .map(m -> "merging " + m).orElse("merging off");
    }

    /**
     * Runs the job for {@code spec.checkpoints()} completed checkpoints, asserting the space bound of
     * {@code maxAmplification} and no orphan merged file after each, then cancels it (the retained checkpoints
     * stay) and returns the figures.
     */
    public static Run run(Spec spec, FileCheckpointStorage storage, CountingBlobStore counter, LongSupplier external,
            Path localDirectory, double maxAmplification) throws Exception {
        try (Driver driver = Driver.start(spec, storage, counter, external, localDirectory, maxAmplification)) {
            for (int i = 1; i <= spec.checkpoints(); i++) {
                driver.awaitBatch();
                driver.checkpoint();
                driver.measure();
            }
            return driver.finish();
        }
    }

    /**
     * The job of {@link #run}, started and driven one checkpoint at a time, so that a benchmark can time a
     * checkpoint alone: {@link #awaitBatch} waits until the sink has processed the events before the next
     * checkpoint, {@link #checkpoint} triggers it and waits for its completion, {@link #measure} lists the store
     * for the space bound and returns the checkpoint's figures, {@link #finish} cancels the job and returns the
     * run. {@code spec.checkpoints()} does not limit the checkpoints a driver takes.
     */
    public static final class Driver implements AutoCloseable {
        private final Spec spec;
        private final FileCheckpointStorage storage;
        private final CountingBlobStore counter;
        private final LongSupplier external;
        private final double maxAmplification;
        private final ChurnJob.Source source;
        private final long batch;
        private final AtomicLong snapshots;
        private final JobRunner runner;
        private final String mode;
        private final long start = System.nanoTime();
        private final List<Figures> figures = new ArrayList<>();
        private final List<CompletedCheckpoint> completed = new ArrayList<>();
        private final int createdBefore;
        private Map<String, Long> calls;
        private long requests;
        private Set<List<Object>> previous = Set.of();
        private int taken;
        private long millis;

        private Driver(Spec spec, FileCheckpointStorage storage, CountingBlobStore counter, LongSupplier external,
                double maxAmplification, JobRunner runner, ChurnJob.Source source, AtomicLong snapshots) {
            this.spec = spec;
            this.storage = storage;
            this.counter = counter;
            this.external = external;
            this.maxAmplification = maxAmplification;
            this.runner = runner;
            this.source = source;
            this.snapshots = snapshots;
            this.batch = spec.eventsPerSplitPerCheckpoint();
            this.mode = FileMergingChurn.mode(storage);
            this.createdBefore = counter.created().size();
            this.calls = counter.snapshot();
            this.requests = external.getAsLong();
        }

        /** Starts the job of {@code spec} on {@code storage} (periodic checkpoints every hour, so none). */
        public static Driver start(Spec spec, FileCheckpointStorage storage, CountingBlobStore counter,
                LongSupplier external, Path localDirectory, double maxAmplification) throws Exception {
            ChurnJob job = new ChurnJob(spec.splits(), spec.keysPerSplit());
            ChurnJob.Source source = new ChurnJob.Source(spec.splits(), Long.MAX_VALUE);
            source.allow(spec.eventsPerSplitPerCheckpoint());
            CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofHours(1))
                    .checkpointTimeout(CHECKPOINT_TIMEOUT).numRetainedCheckpoints(spec.retained())
                    .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
            AtomicLong snapshots = new AtomicLong();
            JobRunner runner = JobRunner.builder(job.graph(source, spec.sourceParallelism(), spec.parallelism(),
                    null, snapshots)).checkpointConfig(config)
                    .stateBackend(new RocksDbStateBackend(RocksDbOptions.parse(spec.rocksDb())))
                    .checkpointStorage(storage).localDirectory(localDirectory).build();
            try {
                Driver driver = new Driver(spec, storage, counter, external, maxAmplification, runner, source,
                        snapshots);
                runner.start();
                return driver;
            } catch (Exception | Error e) {
                runner.close();
                throw e;
            }
        }

        /** The storage's mode of file merging ({@link FileMergingChurn#mode}). */
        public String mode() {
            return mode;
        }

        /** Waits until the sink has processed every event before the next checkpoint. */
        public void awaitBatch() throws InterruptedException {
            long records = (long) spec.splits() * (taken + 1) * batch;
            await(runner, () -> runner.recordsProcessed(ChurnJob.OPERATOR) >= records, records
                    + " events processed by the sink");
        }

        /**
         * Triggers the next checkpoint and waits for its completion; lets the next batch of events in once its
         * barrier has reached every subtask of the sink.
         */
        public CompletedCheckpoint checkpoint() throws Exception {
            int n = ++taken;
            long t0 = System.nanoTime();
            source.dribble(true);
            CompletableFuture<CompletedCheckpoint> done = runner.coordinator().triggerCheckpoint();
            await(runner, () -> snapshots.get() >= (long) spec.parallelism() * n,
                    "the barrier of checkpoint " + n + " at every subtask of the sink");
            source.allow((n + 1) * batch);
            source.dribble(false);
            CompletedCheckpoint cp = done.get(CHECKPOINT_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS);
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            completed.add(cp);
            return cp;
        }

        /**
         * The figures of the checkpoint that {@link #checkpoint} completed last: blob calls and external requests
         * since the previous one's figures, and the space bound, listed now and asserted.
         */
        public Figures measure() {
            CompletedCheckpoint cp = completed.get(completed.size() - 1);
            Map<String, Long> callsNow = counter.snapshot();
            long requestsNow = external.getAsLong();
            MergedSpaceBound bound = MergedSpaceBound.measure(storage, completed, spec.retained())
                    .assertWithin(maxAmplification, "after checkpoint " + cp.checkpointId() + " (" + mode + ")");
            Set<List<Object>> shared = sharedFiles(cp);
            int uploaded = 0;
            int inline = 0;
            long bytes = 0;
            for (List<Object> f : shared) {
                if (!previous.contains(f)) {
                    uploaded++;
                    StreamStateHandle h = (StreamStateHandle) f.get(2);
                    bytes += h.stateSize();
                    if (h instanceof InlineStateHandle) {
                        inline++;
                    }
                }
            }
            Figures f = new Figures(cp.checkpointId(), CountingBlobStore.difference(callsNow, calls),
                    requestsNow - requests, shared.size(), uploaded, inline, bytes, bound, millis);
            figures.add(f);
            // the listing above is the driver's, not the checkpoint's
            calls = counter.snapshot();
            requests = external.getAsLong();
            previous = shared;
            return f;
        }

        /** Cancels the job (the retained checkpoints stay) and returns the figures of every measured checkpoint. */
        public Run finish() throws Exception {
            assertThat(source.maxRead()).as("offsets read").isLessThan((long) (taken + 1) * batch);
            Optional<FileMergingStats> stats = storage.fileMerging().map(FileMergingManager::stats);
            runner.cancel();
            JobResult result = runner.awaitTermination(Duration.ofSeconds(60));
            assertThat(result.termination()).as("how the run ended (failures %s)", result.failures())
                    .isEqualTo(JobTermination.CANCELED);
            assertThat(result.restarts()).as("restarts").isZero();
            Map<String, Long> kinds = new java.util.TreeMap<>();
            for (String location : counter.created().subList(createdBefore, counter.created().size())) {
                kinds.merge(kindOf(storage, location), 1L, Long::sum);
            }
            CompletedCheckpoint last = completed.isEmpty() ? null : completed.get(completed.size() - 1);
            return new Run(mode, List.copyOf(figures), last, stats, kinds,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }

        @Override
        public void close() {
            runner.close();
        }
    }

    /**
     * Restores {@code checkpoint} (taken by {@link #run} with {@code spec}) into a new run at {@code parallelism}
     * without claiming it, lets it process the rest of the events the first run could have read, and checks
     * every subtask's state against the model when its input ends: all keys, all four states. Returns the keys
     * checked.
     */
    public static long restoreAndVerify(Spec spec, FileCheckpointStorage storage, CompletedCheckpoint checkpoint,
            int parallelism, Path localDirectory) throws Exception {
        ChurnJob job = new ChurnJob(spec.splits(), spec.keysPerSplit());
        long length = spec.restoreLength();
        ChurnJob.Source source = new ChurnJob.Source(spec.splits(), length);
        source.allow(length);
        ChurnJob.Verifier verifier = job.verifier(length);
        try (JobRunner runner = JobRunner.builder(job.graph(source, spec.sourceParallelism(), parallelism, verifier,
                new AtomicLong()))
                .stateBackend(new RocksDbStateBackend(RocksDbOptions.parse(spec.rocksDb()))).checkpointStorage(storage)
                .restoreFrom(checkpoint, RecoveryClaimMode.NO_CLAIM).localDirectory(localDirectory).build()) {
            JobResult result = runner.run(Duration.ofMinutes(3));
            assertThat(result.termination()).as("the restored run at parallelism %d (failures %s)", parallelism,
                    result.failures()).isEqualTo(JobTermination.FINISHED);
            long replayed = runner.recordsProcessed(ChurnJob.OPERATOR);
            assertThat(replayed).as("events processed after restoring checkpoint %d", checkpoint.checkpointId())
                    .isLessThanOrEqualTo(2L * spec.splits() * spec.eventsPerSplitPerCheckpoint());
        }
        assertThat(verifier.problems()).as("state restored from checkpoint %d at parallelism %d, against the model",
                checkpoint.checkpointId(), parallelism).isEmpty();
        assertThat(verifier.subtasksChecked()).as("subtasks that checked their state").isEqualTo(parallelism);
        assertThat(verifier.keysChecked()).as("keys checked").isEqualTo(verifier.expectedKeys()).isPositive();
        return verifier.keysChecked();
    }

    /** What a created blob is, by its place in the job directory. */
    static String kindOf(FileCheckpointStorage storage, String location) {
        String merged = storage.mergedLocation();
        if (location.startsWith(merged)) {
            return "merged (pool per " + storage.fileMerging().map(m -> m.options().maxSubtasksPerFile()).orElse(0)
                    + " subtasks)";
        }
        if (location.startsWith(storage.sharedLocation())) {
            return "shared file (SST)";
        }
        if (location.endsWith("/" + FileCheckpointStorage.METADATA_FILE_NAME)) {
            return "_metadata";
        }
        if (location.startsWith(storage.jobLocation() + FileCheckpointStorage.CHECKPOINT_DIR_PREFIX)) {
            return "exclusive file (chk-n/)";
        }
        return "other";
    }

    /** (subtask, SST name, handle) of every shared file of the keyed sink in {@code cp}. */
    private static Set<List<Object>> sharedFiles(CompletedCheckpoint cp) {
        Set<List<Object>> files = new HashSet<>();
        for (OperatorSnapshot op : cp.metadata().operators()) {
            if (!op.operatorId().equals(ChurnJob.OPERATOR)) {
                continue;
            }
            for (SubtaskSnapshot s : op.subtasks()) {
                for (KeyedStateHandle h : s.keyedState()) {
                    assertThat(h).as("keyed state of checkpoint %d", cp.checkpointId())
                            .isInstanceOf(IncrementalKeyedStateHandle.class);
                    ((IncrementalKeyedStateHandle) h).sharedState()
                            .forEach((name, handle) -> files.add(List.of(s.subtaskIndex(), name, handle)));
                }
            }
        }
        return files;
    }

    private static void await(JobRunner runner, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (runner.result().isPresent()) {
                throw new AssertionError("the job ended while waiting for " + what + ": " + runner.result().get());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 2 minutes (sink processed "
                        + runner.recordsProcessed(ChurnJob.OPERATOR) + " events)");
            }
            Thread.sleep(1);
        }
    }
}
