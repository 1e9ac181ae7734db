package dev.cairn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.blob.BlobStore;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.checkpoint.JobDirectoryHold;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.error.CairnException;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.ResumePoint;
import dev.cairn.runtime.dataflow.FailureInjector;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.JobListener;
import dev.cairn.runtime.dataflow.JobResult;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.dataflow.RestartStrategy;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.serialization.Serializers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cairn demo}: a keyed counting job over a replayable source, with failures injected at random
 * moments, recovered from checkpoints, and its committed output checked against the failure-free result.
 * The command holds the job directory with a lease from before the resume's take-over or the fresh start's
 * wipe until it exits; the job's coordinator holds its own lease while the job runs.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a keyed counting job with injected failures and verify exactly-once output.")
final class DemoCommand implements Callable<Integer> {
    static final String JOB_ID = "cairn-demo";
    private static final String COUNT_OPERATOR = "count";

    @Spec
    CommandSpec spec;

    @Option(names = "--events", defaultValue = "200000", description = "Events to process (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--keys", defaultValue = "100", description = "Distinct keys (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of every operator (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--failures", defaultValue = "0", description = "Failures to inject (default: ${DEFAULT-VALUE}).")
    int failures;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the failure moments (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "memory", description = "State backend: memory or rocksdb (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--storage", description = "Checkpoint storage URI (default: file://<data-dir>/checkpoints) or 'memory'.")
    String storage;

    @Option(names = "--storage-option", paramLabel = "KEY=VALUE",
            description = "A checkpoint storage option, repeatable (e.g. s3.endpoint=http://127.0.0.1:9000, "
                    + "s3.path-style-access=true, s3.access-key=…, s3.secret-key=…).")
    Map<String, String> storageOptions = new LinkedHashMap<>();

    @Option(names = "--data-dir", defaultValue = "cairn-data", description = "Where checkpoints and output go (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--mode", defaultValue = "exactly-once", description = "exactly-once or at-least-once (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--unaligned", description = "Use unaligned checkpoints.")
    boolean unaligned;

    @Option(names = "--interval", defaultValue = "100", description = "Checkpoint interval in ms (default: ${DEFAULT-VALUE}).")
    long intervalMillis;

    @Option(names = "--report", description = "Also write the checkpoints, restores and verdict as JSON to this file.")
    Path report;

    @Option(names = "--resume", description = "Continue from the newest sound checkpoint of an earlier run (e.g. after kill -9);"
            + " after a run that finished, say so, check its output and exit 0.")
    boolean resume;

    @Option(names = "--fallback-to-older-checkpoint", description = "With --resume: if the newest checkpoint is damaged,"
            + " resume from the newest sound one (output committed after it is then replayed) instead of refusing.")
    boolean fallbackToOlder;

    @Option(names = "--halt-at", hidden = true, paramLabel = "POINT[:N]",
            description = "Crash test: halt the JVM like kill -9 the N-th time POINT is reached.")
    String haltAt;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Option(names = "--file-merging", description = "Merge checkpoint files into few physical files, and report per"
            + " checkpoint the files created, segments written, storage requests, live bytes and space amplification.")
    boolean fileMerging;

    @Option(names = "--across-boundary", description = "With --file-merging: physical files take the segments of"
            + " later checkpoints too (needs a store that can extend a committed file; on any other the demo says why it"
            + " falls back to merging within checkpoints).")
    boolean acrossBoundary;

    @Option(names = "--pool", paramLabel = "blocking|non-blocking", description = "With --file-merging: whether a"
            + " writer waits for a physical file of its pool or opens another (default: non-blocking).")
    String pool;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try {
            return run(out);
        } catch (CairnException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 2;
        }
    }

    private int run(PrintWriter out) throws Exception {
        CheckpointingMode checkpointingMode = parseMode(mode);
        Path data = dataDir.toAbsolutePath().normalize();
        Path output = data.resolve("output");
        String storageUri = storage != null ? storage : "file://" + data.resolve("checkpoints");
        Map<String, String> options = storageOptions(storageUri);
        CheckpointConfig config = CheckpointConfig.builder()
                .interval(Duration.ofMillis(intervalMillis))
                .mode(checkpointingMode)
                .unalignedCheckpoints(unaligned)
                .tolerableCheckpointFailureNumber(Integer.MAX_VALUE)
                .numRetainedCheckpoints(2)
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)
                .checkpointStorage(storageUri)
                .stateBackend(backend)
                .build();
        StateBackend stateBackend = StateBackends.create(backend, Map.of());
        DemoEvents source = new DemoEvents(events, parallelism, keys);
        List<CheckpointStats> checkpoints = new CopyOnWriteArrayList<>();
        List<Map<String, Object>> restores = new CopyOnWriteArrayList<>();
        if (haltAt != null) {
            try {
                KillPoint.arm(haltAt);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        RequestCountingStore requests = new RequestCountingStore();
        try (CheckpointStorage checkpointStorage = openStorage(storageUri, options, requests);
                JobDirectoryHold hold = checkpointStorage.holdJobDirectory(JobLease.describe("cairn demo " + JOB_ID))) {
            Optional<CompletedCheckpoint> resumeFrom = Optional.empty();
            if (resume) {
                ResumePoint point = ResumePoint.takeOver(checkpointStorage, fallbackToOlder);
                for (DamagedCheckpoint d : point.skipped()) {
                    out.println("skipping damaged checkpoint " + d.checkpointId() + ": " + d.reason().getMessage());
                }
                if (point instanceof ResumePoint.JobEnded ended) {
                    return alreadyEnded(out, ended, source, output, data.resolve("local"));
                }
                if (point instanceof ResumePoint.Checkpoint cp) {
                    resumeFrom = Optional.of(cp.checkpoint());
                }
                out.println(resumeFrom.map(cp -> "resuming from checkpoint " + cp.checkpointId() + " at " + cp.pointer())
                        .orElse("no retained checkpoint found under " + storageUri + ": starting from the beginning"));
            }
            if (resumeFrom.isEmpty()) {
                checkpointStorage.discardJob();
                deleteRecursively(output);
            }
            Files.createDirectories(output);
            Optional<MergingReport> merging = mergingReport(checkpointStorage, requests);
            merging.flatMap(MergingReport::fallbackReason).ifPresent(reason -> out.println("note: " + reason));

            JobGraph.Builder graph = JobGraph.builder(JOB_ID);
            graph.source("events", parallelism, source, Serializers.LONG)
                    .keyBy(key -> key, Serializers.LONG)
                    .process(COUNT_OPERATOR, parallelism, CountPerKey::new, Serializers.STRING)
                    .sink("sink", parallelism, () -> new TwoPhaseCommitFileSink<String>(output, line -> line));
            FailureInjector.Counting injector = FailureInjector.random(seed, failures, Math.max(10, events));
            JobRunner.Builder runner = JobRunner.builder(graph.build())
                    .jobId(JOB_ID)
                    .checkpointConfig(config)
                    .stateBackend(stateBackend)
                    .checkpointStorage(checkpointStorage)
                    .restartStrategy(RestartStrategy.fixedDelay(failures + 3, Duration.ofMillis(50)))
                    .failureInjector(injector)
                    .localDirectory(data.resolve("local"))
                    .statsListener(stats(checkpoints))
                    .listener(new JobListener() {
                        @Override
                        public void onAttemptStarted(int attempt, OptionalLong checkpointId) {
                            if (attempt > 0 || checkpointId.isPresent()) {
                                Map<String, Object> r = new LinkedHashMap<>();
                                r.put("attempt", attempt);
                                r.put("restoredCheckpoint", checkpointId.isPresent() ? checkpointId.getAsLong() : null);
                                restores.add(r);
                            }
                        }

                        @Override
                        public void onFailure(int attempt, Throwable cause) {
                            Map<String, Object> r = new LinkedHashMap<>();
                            r.put("failedAttempt", attempt);
                            r.put("cause", String.valueOf(cause.getMessage()));
                            restores.add(r);
                        }
                    });
            merging.ifPresent(runner::statsListener);
            resumeFrom.ifPresent(cp -> runner.restoreFrom(cp, RecoveryClaimMode.CLAIM));

            JobResult result;
            try (JobRunner job = runner.build()) {
                job.start();
                result = awaitWithProgress(job);
            }
            OutputCheck check = OutputCheck.of(source.countsPerKey(), TwoPhaseCommitFileSink.readCommitted(output));
            printTables(out, checkpoints, restores, merging);
            boolean ok = checkpointingMode == CheckpointingMode.EXACTLY_ONCE ? check.exactlyOnce() : check.noneLost();
            long completed = checkpoints.stream().filter(CheckpointStats::isCompleted).count();
            String verdict = checkpointingMode == CheckpointingMode.EXACTLY_ONCE
                    ? String.format("exactly-once (%d events, %d failures, %d checkpoints)", events,
                            injector.injected(), completed)
                    : String.format("at-least-once (%d events, %d duplicates, %d lost)", events, check.duplicates(),
                            check.lost());
            if (report != null) {
                writeReport(report, config, result, checkpoints, restores, merging, check, ok, verdict,
                        injector.injected());
            }
            if (result.failureCause().isPresent()) {
                out.println("job failed: " + result.failureCause().get());
                out.println("NOT verified: the job failed after " + result.restarts() + " restarts");
                return 2;
            }
            if (!ok) {
                out.println("NOT verified: " + verdict + "; output has " + check.lines() + " lines for "
                        + check.expectedLines() + " events: " + check.examples());
                return 1;
            }
            out.println("verified: " + verdict);
            return 0;
        }
    }

    /** The {@code --storage-option}s, with the {@code checkpoint.file-merging.*} ones of the merging flags. */
    private Map<String, String> storageOptions(String storageUri) {
        Map<String, String> options = new LinkedHashMap<>(storageOptions);
        if (!fileMerging) {
            if (acrossBoundary || pool != null) {
                throw new ParameterException(spec.commandLine(), (acrossBoundary ? "--across-boundary" : "--pool")
                        + " only applies with --file-merging; add --file-merging or drop it");
            }
            return Map.copyOf(options);
        }
        if (storageUri.trim().equalsIgnoreCase(CheckpointStorages.MEMORY)) {
            throw new ParameterException(spec.commandLine(), "--file-merging needs a blob storage, not 'memory'"
                    + " (memory storage keeps checkpoints in memory: there are no files to merge)");
        }
        options.put(FileMergingOptions.ENABLED, "true");
        if (acrossBoundary) {
            options.put(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY, "true");
        }
        if (pool != null) {
            options.put(FileMergingOptions.POOL_BLOCKING, switch (pool.toLowerCase(java.util.Locale.ROOT)) {
                case "blocking" -> "true";
                case "non-blocking" -> "false";
                default -> throw new ParameterException(spec.commandLine(),
                        "--pool must be blocking or non-blocking, not '" + pool + "'");
            });
        }
        return Map.copyOf(options);
    }

    /**
     * The storage; under {@code --halt-at} over a {@link HaltingBlobStore}, with {@code --file-merging} with
     * its blob store requests counted by {@code requests}.
     */
    private CheckpointStorage openStorage(String storageUri, Map<String, String> options,
            RequestCountingStore requests) {
        if (haltAt == null && !fileMerging) {
            return CheckpointStorages.create(storageUri, JOB_ID, options);
        }
        if (storageUri.trim().equalsIgnoreCase(CheckpointStorages.MEMORY)) {
            throw new ParameterException(spec.commandLine(), "--halt-at needs a blob storage, not 'memory'");
        }
        UnaryOperator<BlobStore> halting = haltAt == null ? UnaryOperator.identity() : HaltingBlobStore::wrap;
        return CheckpointStorages.create(storageUri, JOB_ID, options,
                store -> fileMerging ? requests.wrap(halting.apply(store)) : halting.apply(store));
    }

    /** With {@code --file-merging}, the per-checkpoint merging figures, counted from now. */
    private Optional<MergingReport> mergingReport(CheckpointStorage checkpointStorage, RequestCountingStore requests) {
        if (!fileMerging || !(checkpointStorage instanceof FileCheckpointStorage fs) || fs.fileMerging().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MergingReport(fs.fileMerging().get(), requests,
                fs.options().fileMerging().fallbackReason(requests.wrapped())));
    }

    /**
     * {@code --resume} after the job ended: says so, reports what {@link ResumePoint#takeOver} deleted of the
     * ended run's remains (a crash may have interrupted its final deletions), deletes the local directory of a
     * killed last run, and checks the committed output once more.
     */
    private int alreadyEnded(PrintWriter out, ResumePoint.JobEnded ended, DemoEvents source, Path output,
            Path local) {
        JobEnd end = ended.end();
        out.println("job " + JOB_ID + " already ended (" + end.termination() + " after checkpoint "
                + end.lastCheckpointId() + ", at " + Instant.ofEpochMilli(end.endedAtMillis()) + "): nothing to resume");
        if (!ended.deleted().isEmpty()) {
            out.println("deleted " + ended.deleted().size() + " files the ended job had not deleted yet");
        }
        JobRunner.deleteAbandonedLocalRuns(local);
        if (!end.termination().equals(JobTermination.FINISHED.name())) {
            return 0;
        }
        OutputCheck check = OutputCheck.of(source.countsPerKey(), TwoPhaseCommitFileSink.readCommitted(output));
        if (!check.exactlyOnce()) {
            out.println("NOT verified: the committed output of the finished job has " + check.lines() + " lines for "
                    + check.expectedLines() + " events: " + check.examples());
            return 1;
        }
        out.println("verified: exactly-once (" + events + " events, output of the finished run)");
        return 0;
    }

    private JobResult awaitWithProgress(JobRunner job) throws Exception {
        if (noProgress) {
            return job.awaitTermination(Duration.ofHours(1));
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("events").setInitialMax(events)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build()) {
            while (true) {
                Optional<JobResult> done = job.result();
                bar.stepTo(Math.min(events, job.recordsProcessed(COUNT_OPERATOR)));
                if (done.isPresent()) {
                    bar.stepTo(events);
                    return done.get();
                }
                Thread.sleep(100);
            }
        }
    }

    private static CheckpointStatsListener stats(List<CheckpointStats> into) {
        return new CheckpointStatsListener() {
            @Override
            public void onCheckpointCompleted(CheckpointStats stats) {
                into.add(stats);
            }

            @Override
            public void onCheckpointFailed(CheckpointStats stats) {
                into.add(stats);
            }
        };
    }

    private static void printTables(PrintWriter out, List<CheckpointStats> checkpoints,
            List<Map<String, Object>> restores, Optional<MergingReport> merging) {
        out.println();
        out.printf("%-6s %10s %12s %14s%s  %s%n", "id", "duration", "size", "persisted",
                merging.map(MergingReport::header).orElse(""), "status");
        List<CheckpointStats> sorted = new ArrayList<>(checkpoints);
        sorted.sort(Comparator.comparingLong(CheckpointStats::checkpointId));
        for (CheckpointStats s : sorted) {
            out.printf("%-6d %8d ms %10s B %12s B%s  %s%n", s.checkpointId(), s.durationMillis(), s.stateSize(),
                    s.persistedBytes(), merging.map(m -> m.columns(s.checkpointId())).orElse(""),
                    s.isCompleted() ? "COMPLETED" : "FAILED (" + s.failureReason() + ")");
        }
        if (!restores.isEmpty()) {
            out.println();
            for (Map<String, Object> r : restores) {
                if (r.containsKey("failedAttempt")) {
                    out.printf("attempt %s failed: %s%n", r.get("failedAttempt"), r.get("cause"));
                } else {
                    Object cp = r.get("restoredCheckpoint");
                    out.printf("attempt %s restored from %s%n", r.get("attempt"),
                            cp == null ? "nothing (no checkpoint had completed)" : "checkpoint " + cp);
                }
            }
        }
        out.println();
    }

    private void writeReport(Path file, CheckpointConfig config, JobResult result, List<CheckpointStats> checkpoints,
            List<Map<String, Object>> restores, Optional<MergingReport> merging, OutputCheck check, boolean ok,
            String verdict, int injected) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("events", events);
        root.put("keys", keys);
        root.put("parallelism", parallelism);
        root.put("backend", backend);
        root.put("storage", config.checkpointStorage());
        root.put("mode", mode);
        root.put("unaligned", unaligned);
        root.put("intervalMillis", intervalMillis);
        root.put("failuresInjected", injected);
        root.put("restarts", result.restarts());
        root.put("durationMillis", result.duration().toMillis());
        merging.ifPresent(m -> root.put("fileMerging", m.summary()));
        List<Map<String, Object>> cps = new ArrayList<>();
        for (CheckpointStats s : checkpoints) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", s.checkpointId());
            c.put("durationMillis", s.durationMillis());
            c.put("stateSize", s.stateSize());
            c.put("persistedBytes", s.persistedBytes());
            c.put("maxAlignmentMillis", s.maxAlignmentMillis());
            c.put("status", s.status().name());
            c.put("failureReason", s.failureReason() == null ? null : s.failureReason().name());
            merging.flatMap(m -> m.json(s.checkpointId())).ifPresent(m -> c.put("fileMerging", m));
            cps.add(c);
        }
        root.put("checkpoints", cps);
        root.put("restores", restores);
        Map<String, Object> verification = new LinkedHashMap<>();
        verification.put("verified", ok);
        verification.put("verdict", verdict);
        verification.put("expectedLines", check.expectedLines());
        verification.put("committedLines", check.lines());
        verification.put("lost", check.lost());
        verification.put("duplicates", check.duplicates());
        root.put("verification", verification);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }

    private CheckpointingMode parseMode(String mode) {
        return switch (mode.toLowerCase(java.util.Locale.ROOT)) {
            case "exactly-once", "exactly_once" -> CheckpointingMode.EXACTLY_ONCE;
            case "at-least-once", "at_least_once" -> CheckpointingMode.AT_LEAST_ONCE;
            default -> throw new ParameterException(spec.commandLine(),
                    "--mode must be exactly-once or at-least-once, not '" + mode + "'");
        };
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
