package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cairn.backend.StateBackend;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.SegmentStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointFailureReason;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.ResumePoint;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.dataflow.FailureInjector;
import dev.cairn.runtime.dataflow.InjectedFailureException;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.JobListener;
import dev.cairn.runtime.dataflow.JobResult;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.dataflow.RestartStrategy;
import dev.cairn.tck.CoordinatorFaultyStorage.Fault;
import dev.cairn.tck.CoordinatorTckJob.Events;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance suite of a state backend together with a checkpoint storage under the checkpoint
 * coordinator: it runs a deterministic keyed counting job ({@link CoordinatorTckJob}: a replayable source,
 * keyed counts, a two-phase-commit file sink) on the embedded runtime ({@link JobRunner}) and checks what a
 * user relies on: exactly-once output through injected failures (aligned and unaligned), no loss at least
 * once, restores at another parallelism with exact keyed state, monotonic ids, retention of exactly N
 * checkpoints, externalized retention by how the job ended, claim modes, checkpoint expiry and tolerable
 * failures (driven by {@link CoordinatorFaultyStorage} around the storage under test), and checkpoints after
 * tasks finished. Each test is a rule {@code COORD-nn} of {@code tck/CONTRACT.md}.
 *
 * <p>To certify a pair, extend this class and implement {@link #createBackend()} and
 * {@link #createCheckpointStorage(String, Path)}. A storage whose state is all inline (such as the
 * {@code memory} storage) passes the file checks trivially; use a small inline threshold for a file-based
 * one so that the rules see real files deleted and kept.
 */
public abstract class CoordinatorTck {
    private static final Duration POLL = Duration.ofMillis(5);

    @TempDir
    protected Path tempDir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private StateBackend backend;
    private int storages;
    private int directories;

    /** A new instance of the state backend under test. */
    protected abstract StateBackend createBackend();

    /**
     * A new, empty checkpoint storage under test for job {@code jobId}, keeping its data under
     * {@code directory} if it keeps any on disk. It is closed by the suite.
     */
    protected abstract CheckpointStorage createCheckpointStorage(String jobId, Path directory);

    /**
     * Whether {@link CheckpointStorage#completedCheckpoints()} works (a file storage over a blob store without
     * prefix listing cannot list); when false the retention rules check by resolving the known pointers only.
     */
    protected boolean listsCompletedCheckpoints() {
        return true;
    }

    /**
     * Whether {@code handle} names bytes stored outside the metadata, which discarding a checkpoint must delete
     * and keeping it must keep; inline handles (part of the metadata) are not checked on their own.
     */
    protected boolean isStoredOutsideMetadata(StreamStateHandle handle) {
        return !(handle instanceof InlineStateHandle);
    }

    /** The longest a single job run of the suite may take before a rule fails. */
    protected Duration jobTimeout() {
        return Duration.ofSeconds(60);
    }

    @BeforeEach
    void createBackendUnderTest() {
        backend = Objects.requireNonNull(createBackend(), "createBackend() returned null");
    }

    @AfterEach
    void closeResources() throws Exception {
        Collections.reverse(resources);
        Exception first = null;
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }

    // ---------------------------------------------------------------- exactly once, at least once

    @Test
    @DisplayName("COORD-01 MUST: aligned exactly-once checkpoints commit the failure-free result despite injected failures")
    void ruleCOORD01_exactlyOnceAligned() throws Exception {
        exactlyOnceWithFailures(config().build(), 42);
    }

    @Test
    @DisplayName("COORD-02 MUST: unaligned checkpoints commit the failure-free result despite injected failures")
    void ruleCOORD02_exactlyOnceUnaligned() throws Exception {
        Run run = exactlyOnceWithFailures(config().unalignedCheckpoints(true)
                .alignedCheckpointTimeout(Duration.ZERO).build(), 7);
        assertThat(run.completed).as("completed checkpoints taken unaligned").anySatisfy(s -> assertThat(
                s.taskMetrics().values()).anySatisfy(m -> assertThat(m.unaligned()).isTrue()));
    }

    private Run exactlyOnceWithFailures(CheckpointConfig config, long seed) throws Exception {
        Events source = Events.uniform(4, 2500, 17, 10);
        Path out = directory("out");
        CheckpointedFailures injector = new CheckpointedFailures(seed, 3, 3, 2);
        Run run = start(CoordinatorTckJob.graph(source, 2, 3, 2, false, out), config, storage("exactly-once"),
                b -> b.failureInjector(injector), injector.run);
        JobResult result = run.finish();

        assertThat(result.termination()).as("how the job ended (failures: %s)", result.failures())
                .isEqualTo(JobTermination.FINISHED);
        assertThat(injector.injected()).as("failures injected").isEqualTo(3);
        assertThat(result.restarts()).as("restarts").isEqualTo(3);
        assertThat(run.attempts).as("checkpoints the attempts started from").hasSize(4)
                .satisfies(a -> assertThat(a.subList(1, 4)).allMatch(OptionalLong::isPresent));
        CoordinatorTckJob.assertExactlyOnce(source, out);
        return run;
    }

    @Test
    @DisplayName("COORD-03 MUST: at-least-once checkpoints lose no record despite injected failures")
    void ruleCOORD03_atLeastOnceLosesNothing() throws Exception {
        Events source = Events.uniform(4, 2500, 17, 10);
        Path out = directory("out");
        CheckpointedFailures injector = new CheckpointedFailures(3, 2, 3, 2);
        Run run = start(CoordinatorTckJob.graph(source, 2, 3, 2, false, out),
                config().mode(CheckpointingMode.AT_LEAST_ONCE).build(), storage("at-least-once"),
                b -> b.failureInjector(injector), injector.run);
        JobResult result = run.finish();

        assertThat(result.termination()).as("how the job ended (failures: %s)", result.failures())
                .isEqualTo(JobTermination.FINISHED);
        assertThat(injector.injected()).as("failures injected").isEqualTo(2);
        assertThat(run.attempts).as("checkpoints the attempts started from").hasSize(3)
                .satisfies(a -> assertThat(a.subList(1, 3)).allMatch(OptionalLong::isPresent));
        CoordinatorTckJob.assertAtLeastOnce(source, out);
    }

    /**
     * Fails the job {@code failures} times, once per attempt, each time after the attempt completed a
     * checkpoint (so every restart restores one): attempt {@code i} fails a subtask of the counting operator
     * or the sink drawn from {@code seed}, at a record count drawn from it too.
     */
    private static final class CheckpointedFailures implements FailureInjector {
        final Run[] run = new Run[1];
        private final int failures;
        private final SubtaskId[] targets;
        private final int[] every;
        private final AtomicInteger injected = new AtomicInteger();

        CheckpointedFailures(long seed, int failures, int countParallelism, int sinkParallelism) {
            this.failures = failures;
            this.targets = new SubtaskId[failures];
            this.every = new int[failures];
            Random random = new Random(seed);
            for (int i = 0; i < failures; i++) {
                int pick = random.nextInt(countParallelism + sinkParallelism);
                targets[i] = pick < countParallelism ? new SubtaskId(CoordinatorTckJob.COUNT, pick)
                        : new SubtaskId(CoordinatorTckJob.SINK, pick - countParallelism);
                every[i] = 1 + random.nextInt(50);
            }
        }

        int injected() {
            return injected.get();
        }

        @Override
        public void beforeRecord(SubtaskId subtask, long count, int attempt) {
            int i = injected.get();
            Run r = run[0];
            if (i >= failures || attempt != i || r == null || !subtask.equals(targets[i]) || count % every[i] != 0
                    || !r.completedInAttempt(attempt)) {
                return;
            }
            if (injected.compareAndSet(i, i + 1)) {
                throw new InjectedFailureException("injected failure " + (i + 1) + "/" + failures + " of " + subtask
                        + " at its record " + count + " of attempt " + attempt);
            }
        }
    }

    // ---------------------------------------------------------------- restore

    @Test
    @DisplayName("COORD-04 MUST: a retained checkpoint restores at parallelism 2 -> 3 -> 1 with exact keyed state and exactly-once output")
    void ruleCOORD04_restoreAtNewParallelism() throws Exception {
        Events source = Events.uniform(6, 1500, 23, 0);
        Events slow = source.withPauseEvery(4);
        Path out = directory("out");
        CoordinatorFaultyStorage storage = storage("rescale");
        CheckpointConfig config = config().externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        long total = source.all().size();

        Run first = start(CoordinatorTckJob.graph(slow, 2, 2, 2, true, out), config, storage, b -> { });
        first.awaitCompleted(3);
        CompletedCheckpoint c1 = first.cancel().latestCheckpoint().orElseThrow(
                () -> new AssertionError("the cancelled run retained no checkpoint"));
        assertThat(parallelismOf(c1, CoordinatorTckJob.COUNT)).isEqualTo(2);
        long covered1 = CoordinatorTckJob.assertKeyedStateExact(c1.metadata(), backend, storage, directory("read"));
        assertThat(covered1).as("events covered by checkpoint %d written at parallelism 2", c1.checkpointId())
                .isBetween(1L, total - 1);

        Run second = start(CoordinatorTckJob.graph(slow, 3, 3, 3, true, out), config, storage,
                b -> b.restoreFrom(c1, RecoveryClaimMode.CLAIM));
        second.awaitCompleted(2);
        CompletedCheckpoint c2 = second.cancel().latestCheckpoint().orElseThrow(
                () -> new AssertionError("the cancelled run retained no checkpoint"));
        assertThat(c2.checkpointId()).as("id of the checkpoint after the restore").isGreaterThan(c1.checkpointId());
        assertThat(parallelismOf(c2, CoordinatorTckJob.COUNT)).isEqualTo(3);
        long covered2 = CoordinatorTckJob.assertKeyedStateExact(c2.metadata(), backend, storage, directory("read"));
        assertThat(covered2).as("events covered by checkpoint %d written at parallelism 3", c2.checkpointId())
                .isGreaterThanOrEqualTo(covered1);

        Run third = start(CoordinatorTckJob.graph(source, 1, 1, 1, true, out), config, storage,
                b -> b.restoreFrom(c2, RecoveryClaimMode.NO_CLAIM));
        JobResult result = third.finish();
        assertThat(result.termination()).as("how the run at parallelism 1 ended (failures: %s)", result.failures())
                .isEqualTo(JobTermination.FINISHED);
        assertThat(third.attempts).as("the run at parallelism 1 started from").containsExactly(
                OptionalLong.of(c2.checkpointId()));
        CoordinatorTckJob.assertExactlyOnce(source, out);
    }

    @Test
    @DisplayName("COORD-05 MUST: checkpoint ids grow monotonically, also after a restore and a fail-over")
    void ruleCOORD05_idsMonotonicAcrossRestore() throws Exception {
        Events source = Events.uniform(2, 3000, 11, 4);
        Path out = directory("out");
        CoordinatorFaultyStorage storage = storage("ids");
        CheckpointConfig config = config().externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        Run first = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config, storage, b -> { });
        first.awaitCompleted(2);
        CompletedCheckpoint restored = first.cancel().latestCheckpoint().orElseThrow();
        assertIncreasing(first.completedIds(), "ids completed by the first run");

        AtomicBoolean failed = new AtomicBoolean();
        List<CheckpointStats> completedBeforeFailure = new CopyOnWriteArrayList<>();
        Run[] holder = new Run[1];
        FailureInjector failOnceAfterACheckpoint = (subtask, count, attempt) -> {
            Run r = holder[0];
            if (r != null && subtask.equals(new SubtaskId(CoordinatorTckJob.COUNT, 0)) && r.completed.size() >= 2
                    && failed.compareAndSet(false, true)) {
                completedBeforeFailure.addAll(r.completed);
                throw new InjectedFailureException("COORD-05: injected failure of " + subtask);
            }
        };
        Run second = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config, storage,
                b -> b.restoreFrom(restored, RecoveryClaimMode.NO_CLAIM).failureInjector(failOnceAfterACheckpoint),
                holder);
        second.await(() -> failed.get() && second.completedInAttempt(1, 2), "two checkpoints after the fail-over");
        JobResult result = second.cancel();

        assertThat(result.restarts()).as("restarts of the restored run").isEqualTo(1);
        assertThat(second.attempts.get(0)).as("the restored run's first attempt started from")
                .isEqualTo(OptionalLong.of(restored.checkpointId()));
        List<Long> all = second.allIds();
        assertThat(all).as("ids of every checkpoint of the restored run (completed or failed)")
                .allMatch(id -> id > restored.checkpointId()).doesNotHaveDuplicates();
        assertIncreasing(second.completedIds(), "ids completed by the restored run, in completion order");
        long lastBefore = completedBeforeFailure.stream().mapToLong(CheckpointStats::checkpointId).max().orElseThrow();
        assertThat(second.completedIds().subList(completedBeforeFailure.size(), second.completedIds().size()))
                .as("ids completed after the fail-over").allMatch(id -> id > lastBefore);
    }

    // ---------------------------------------------------------------- retention

    @Test
    @DisplayName("COORD-06 MUST: after many checkpoints exactly numRetainedCheckpoints remain, the newest, and older ones' files are deleted")
    void ruleCOORD06_retainsExactlyN() throws Exception {
        CoordinatorFaultyStorage storage = storage("retention");
        CheckpointConfig config = config().interval(Duration.ofMillis(10)).numRetainedCheckpoints(3)
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        Run run = start(endlessJob(), config, storage, b -> { });
        run.awaitCompleted(10);
        JobResult result = run.cancel();

        List<Long> completed = new ArrayList<>(run.completedIds());
        Collections.sort(completed);
        List<Long> newest = completed.subList(completed.size() - 3, completed.size());
        List<Long> retained = run.runner.coordinator().retainedCheckpoints().stream()
                .map(CompletedCheckpoint::checkpointId).toList();
        assertThat(retained).as("checkpoints the coordinator retains").containsExactlyElementsOf(newest);
        assertThat(result.latestCheckpoint().map(CompletedCheckpoint::checkpointId)).hasValue(newest.get(2));
        assertStorageHoldsExactly(storage, newest);
    }

    @Test
    @DisplayName("COORD-07 MUST: on cancellation RETAIN_ON_CANCELLATION keeps the retained checkpoints; DELETE_ON_CANCELLATION and NO_EXTERNALIZED_CHECKPOINTS delete them")
    void ruleCOORD07_externalizedRetentionOnCancel() throws Exception {
        for (ExternalizedCheckpointRetention policy : ExternalizedCheckpointRetention.values()) {
            CoordinatorFaultyStorage storage = storage("cancel-" + policy);
            Run run = start(endlessJob(), config().externalizedCheckpointRetention(policy).numRetainedCheckpoints(2)
                    .build(), storage, b -> { });
            run.awaitCompleted(3);
            JobResult result = run.cancel();
            assertThat(result.termination()).isEqualTo(JobTermination.CANCELED);
            checkRetention(policy, JobTermination.CANCELED, run, result, storage);
        }
    }

    @Test
    @DisplayName("COORD-08 MUST: when the job fails RETAIN_ON_CANCELLATION and DELETE_ON_CANCELLATION keep the retained checkpoints; NO_EXTERNALIZED_CHECKPOINTS deletes them")
    void ruleCOORD08_externalizedRetentionOnFailure() throws Exception {
        for (ExternalizedCheckpointRetention policy : ExternalizedCheckpointRetention.values()) {
            CoordinatorFaultyStorage storage = storage("fail-" + policy);
            AtomicBoolean failNow = new AtomicBoolean();
            FailureInjector injector = (subtask, count, attempt) -> {
                if (failNow.get() && subtask.operatorId().equals(CoordinatorTckJob.COUNT)) {
                    throw new InjectedFailureException("COORD-08: the job fails for good");
                }
            };
            Run run = start(endlessJob(), config().externalizedCheckpointRetention(policy).numRetainedCheckpoints(2)
                    .build(), storage, b -> b.failureInjector(injector).restartStrategy(RestartStrategy.none()));
            run.awaitCompleted(3);
            failNow.set(true);
            JobResult result = run.runner.awaitTermination(jobTimeout());
            assertThat(result.termination()).as("how the job ended with %s", policy).isEqualTo(JobTermination.FAILED);
            checkRetention(policy, JobTermination.FAILED, run, result, storage);
        }
    }

    @Test
    @DisplayName("COORD-09 MUST: when the job finishes its checkpoints are deleted under every retention policy")
    void ruleCOORD09_finishedJobDeletesCheckpoints() throws Exception {
        for (ExternalizedCheckpointRetention policy : ExternalizedCheckpointRetention.values()) {
            CoordinatorFaultyStorage storage = storage("finish-" + policy);
            Events source = Events.uniform(2, 1500, 7, 5);
            Path out = directory("out");
            Run run = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config()
                    .externalizedCheckpointRetention(policy).numRetainedCheckpoints(2).build(), storage, b -> { });
            JobResult result = run.finish();
            assertThat(result.termination()).as("how the job ended with %s", policy)
                    .isEqualTo(JobTermination.FINISHED);
            assertThat(run.completed).as("completed checkpoints with %s", policy).hasSizeGreaterThanOrEqualTo(2);
            checkRetention(policy, JobTermination.FINISHED, run, result, storage);
            CoordinatorTckJob.assertExactlyOnce(source, out);
        }
    }

    private void checkRetention(ExternalizedCheckpointRetention policy, JobTermination termination, Run run,
            JobResult result, CoordinatorFaultyStorage storage) {
        if (termination.deletesCheckpoints(policy)) {
            assertStorageHoldsExactly(storage, List.of());
            return;
        }
        List<Long> completed = new ArrayList<>(run.completedIds());
        Collections.sort(completed);
        List<Long> newest = completed.subList(Math.max(0, completed.size() - 2), completed.size());
        assertThat(result.latestCheckpoint().map(CompletedCheckpoint::checkpointId))
                .as("latest checkpoint of a job %s with %s", termination, policy).hasValue(newest.get(newest.size() - 1));
        assertStorageHoldsExactly(storage, newest);
    }

    @Test
    @DisplayName("COORD-10 MUST: a NO_CLAIM restore never deletes the restored checkpoint; a CLAIM restore discards it once subsumed")
    void ruleCOORD10_claimModes() throws Exception {
        CoordinatorFaultyStorage storage = storage("claim");
        CheckpointConfig retain = config().externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        Path out = directory("out");
        Run first = start(endlessJob(out), retain, storage, b -> { });
        first.awaitCompleted(2);
        CompletedCheckpoint restored = first.cancel().latestCheckpoint().orElseThrow();

        Run noClaim = start(endlessJob(out), retain, storage, b -> b.restoreFrom(restored, RecoveryClaimMode.NO_CLAIM));
        noClaim.awaitCompleted(3);
        noClaim.cancel();
        assertKept(storage, restored, "checkpoint " + restored.checkpointId() + " restored with NO_CLAIM, after the"
                + " new run subsumed it three times and was cancelled");
        Run noClaimFinished = start(CoordinatorTckJob.graph(Events.uniform(2, 300, 11, 0), 2, 2, 2, false, out), config().build(), storage, b -> b.restoreFrom(restored, RecoveryClaimMode.NO_CLAIM));
        assertThat(noClaimFinished.finish().termination()).isEqualTo(JobTermination.FINISHED);
        assertKept(storage, restored, "checkpoint " + restored.checkpointId() + " restored with NO_CLAIM, after the"
                + " new run finished");

        Run claim = start(endlessJob(out), retain, storage, b -> b.restoreFrom(restored, RecoveryClaimMode.CLAIM));
        claim.awaitCompleted(2);
        JobResult result = claim.cancel();
        assertDeleted(storage, restored, Set.of(), "checkpoint " + restored.checkpointId() + " restored with CLAIM"
                + " and subsumed by the new run");
        CompletedCheckpoint latest = result.latestCheckpoint().orElseThrow();
        assertKept(storage, latest, "the latest checkpoint of the CLAIM run, cancelled with RETAIN_ON_CANCELLATION");
    }

    @Test
    @DisplayName("COORD-14 MUST: a run resumed from the newest checkpoint of a run that stopped without ending owns the job directory: other checkpoints are fenced, output stays exactly-once, and after it finished a resume finds the job ended")
    void ruleCOORD14_resumedRunOwnsTheJobDirectory() throws Exception {
        CoordinatorFaultyStorage storage = storage("resume");
        Events source = Events.uniform(2, 3000, 11, 4);
        Path out = directory("out");
        CheckpointConfig config = config().numRetainedCheckpoints(2).externalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        Run first = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config, storage, b -> { });
        first.awaitCompleted(3);
        first.cancel();
        List<CompletedCheckpoint> left = storage.scan().completed();
        assertThat(left).as("checkpoints the stopped run left, as the scan lists them").hasSize(2);

        ResumePoint point = ResumePoint.takeOver(storage, false);
        assertThat(point).as("where the job resumes").isInstanceOf(ResumePoint.Checkpoint.class);
        CompletedCheckpoint newest = ((ResumePoint.Checkpoint) point).checkpoint();
        assertThat(newest.checkpointId()).as("the resume point").isEqualTo(left.get(1).checkpointId());
        Run second = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config, storage,
                b -> b.restoreFrom(newest, RecoveryClaimMode.CLAIM));
        assertDeleted(storage, left.get(0), new HashSet<>(CoordinatorFaultyStorage.streamsOf(newest.metadata())),
                "checkpoint " + left.get(0).checkpointId() + ", older than the claimed checkpoint "
                        + newest.checkpointId());
        JobResult result = second.finish();
        assertThat(result.termination()).as("how the resumed run ended").isEqualTo(JobTermination.FINISHED);
        assertThat(second.allIds()).as("ids of the resumed run").allMatch(id -> id > newest.checkpointId());
        CoordinatorTckJob.assertExactlyOnce(source, out);
        if (listsCompletedCheckpoints()) {
            assertThat(storage.scan().completed()).as("checkpoints left by the finished run").isEmpty();
        }
        ResumePoint after = ResumePoint.takeOver(storage, false);
        assertThat(after).as("a resume after the resumed run finished").isInstanceOf(ResumePoint.JobEnded.class);
        assertThat(((ResumePoint.JobEnded) after).end().lastCheckpointId()).as("the job-end record's last id")
                .isGreaterThanOrEqualTo(second.allIds().stream().mapToLong(Long::longValue).max().orElseThrow());
    }

    // ---------------------------------------------------------------- timeout and tolerable failures

    @Test
    @DisplayName("COORD-11 MUST: a checkpoint not completed within the timeout expires (status FAILED, reason EXPIRED), its files are deleted, and later checkpoints complete")
    void ruleCOORD11_checkpointTimeout() throws Exception {
        CoordinatorFaultyStorage storage = storage("timeout");
        CheckpointConfig config = config().checkpointTimeout(Duration.ofMillis(300)).tolerableCheckpointFailureNumber(10)
                .build();
        Run run = start(endlessJob(), config, storage, b -> { });
        run.awaitCompleted(1);

        storage.arm(Fault.STALL_FINALIZE, 1);
        long stalledFinalize = run.awaitFault(storage, Fault.STALL_FINALIZE);
        CheckpointStats expired = run.awaitFailed(stalledFinalize);
        assertThat(expired.status()).isEqualTo(CheckpointStats.Status.FAILED);
        assertThat(expired.failureReason()).as("why checkpoint %d (metadata write stalled) failed", stalledFinalize)
                .isEqualTo(CheckpointFailureReason.EXPIRED);
        run.awaitCompleted(c -> c.stream().anyMatch(s -> s.checkpointId() > stalledFinalize),
                "a checkpoint after the expired " + stalledFinalize + " while its metadata write is still stalled");
        storage.releaseStalls();
        assertThat(storage.awaitNoStalls(Duration.ofSeconds(10))).as("stalls ended").isTrue();

        storage.arm(Fault.STALL_STREAMS, 1);
        long stalledStreams = run.awaitFault(storage, Fault.STALL_STREAMS);
        CheckpointStats expired2 = run.awaitFailed(stalledStreams);
        assertThat(expired2.failureReason()).as("why checkpoint %d (state uploads stalled) failed", stalledStreams)
                .isEqualTo(CheckpointFailureReason.EXPIRED);
        storage.releaseStalls();
        run.awaitCompleted(c -> c.stream().anyMatch(s -> s.checkpointId() > stalledStreams),
                "a checkpoint after the expired " + stalledStreams);
        assertThat(storage.awaitNoStalls(Duration.ofSeconds(10))).as("stalls ended").isTrue();
        List<StreamStateHandle> files = new ArrayList<>();
        for (CoordinatorFaultyStorage.Written w : storage.written(stalledFinalize)) {
            if (w.scope() == CheckpointedStateScope.EXCLUSIVE && isStoredOutsideMetadata(w.handle())) {
                files.add(w.handle());
            }
        }
        run.await(() -> files.stream().noneMatch(h -> catchThrowable(() -> {
            try (SeekableInputStream in = storage.open(h)) {
                in.read();
            }
        }) == null), "the state files of checkpoint " + stalledFinalize + " to be deleted while the job runs");
        JobResult result = run.cancel();

        assertThat(run.failovers).as("fail-overs (expiries stayed within the tolerable number)").isEmpty();
        assertThat(result.restarts()).isZero();
        assertThat(run.completedIds()).doesNotContain(stalledFinalize, stalledStreams);
        for (StreamStateHandle h : files) {
            assertNotReadable(storage, h, "state file of checkpoint " + stalledFinalize
                    + ", which expired while its metadata was written");
        }
        if (listsCompletedCheckpoints()) {
            assertThat(storage.completedCheckpoints()).extracting(CompletedCheckpoint::checkpointId)
                    .doesNotContain(stalledFinalize, stalledStreams);
        }
    }

    @Test
    @DisplayName("COORD-12 MUST: consecutive checkpoint failures within tolerableCheckpointFailureNumber do not fail the job over; one more does")
    void ruleCOORD12_tolerableFailures() throws Exception {
        CoordinatorFaultyStorage storage = storage("tolerable");
        CheckpointConfig config = config().tolerableCheckpointFailureNumber(2).build();
        Run run = start(endlessJob(), config, storage, b -> b.restartStrategy(RestartStrategy.fixedDelay(3,
                Duration.ofMillis(10))));
        run.awaitCompleted(1);

        storage.arm(Fault.FAIL_FINALIZE, 2);
        List<Long> tolerated = run.awaitFaults(storage, Fault.FAIL_FINALIZE, 2);
        for (long id : tolerated) {
            assertThat(run.awaitFailed(id).failureReason()).as("why checkpoint %d (metadata write failed) failed", id)
                    .isEqualTo(CheckpointFailureReason.FINALIZE_FAILURE);
        }
        long lastTolerated = tolerated.get(1);
        run.awaitCompleted(c -> c.stream().anyMatch(s -> s.checkpointId() > lastTolerated),
                "a checkpoint after the 2 tolerated failures");
        assertThat(run.failovers).as("fail-overs after 2 consecutive failures with 2 tolerable").isEmpty();

        int logBefore = run.log.size();
        storage.arm(Fault.FAIL_STREAMS, 3);
        run.await(() -> !run.failovers.isEmpty(), "a fail-over after 3 consecutive failures with 2 tolerable");
        List<Long> counted = run.awaitFaults(storage, Fault.FAIL_STREAMS, 3);
        for (long id : counted) {
            assertThat(run.awaitFailed(id).failureReason()).as("why checkpoint %d (state upload failed) failed", id)
                    .isEqualTo(CheckpointFailureReason.DECLINED);
        }
        assertThat(counted.get(2) - counted.get(0)).as("ids of the faulted checkpoints %s are consecutive", counted)
                .isEqualTo(2);
        List<String> phase;
        synchronized (run.log) {
            phase = List.copyOf(run.log.subList(logBefore, run.log.size()));
        }
        int failover = phase.indexOf(Run.FAILOVER);
        for (long id : counted) {
            assertThat(phase.indexOf("F" + id + ":" + CheckpointFailureReason.DECLINED))
                    .as("checkpoint %d failed before the fail-over: %s", id, phase).isBetween(0, failover - 1);
        }
        run.awaitCompleted(c -> c.stream().anyMatch(s -> s.checkpointId() > counted.get(2)),
                "a checkpoint after the restart");
        JobResult result = run.cancel();
        assertThat(result.restarts()).as("restarts").isEqualTo(1);
        assertThat(run.failovers).singleElement().satisfies(t -> assertThat(t)
                .as("the fail-over cause").isInstanceOf(CheckpointException.class));
    }

    // ---------------------------------------------------------------- finished tasks

    @Test
    @DisplayName("COORD-13 MUST: checkpoints continue after a bounded source subtask finished, and the final checkpoint lets the sink commit everything")
    void ruleCOORD13_finishedTasks() throws Exception {
        Events source = new Events(new int[] {20, 2500}, 13, 8);
        Path out = directory("out");
        CoordinatorFaultyStorage storage = storage("finished");
        Run run = start(CoordinatorTckJob.graph(source, 2, 2, 2, false, out), config().build(), storage, b -> { });
        JobResult result = run.finish();

        assertThat(result.termination()).as("how the job ended (failures: %s)", result.failures())
                .isEqualTo(JobTermination.FINISHED);
        Set<Long> completedIds = new HashSet<>(run.completedIds());
        List<CompletedCheckpoint> completed = storage.finalizedCheckpoints().stream()
                .filter(cp -> completedIds.contains(cp.checkpointId())).toList();
        assertThat(completed).as("checkpoints with %s#0 finished and %s#1 running", CoordinatorTckJob.SOURCE,
                CoordinatorTckJob.SOURCE).anyMatch(cp -> finished(cp.metadata(), CoordinatorTckJob.SOURCE, 0)
                        && !finished(cp.metadata(), CoordinatorTckJob.SOURCE, 1));
        CompletedCheckpoint last = completed.get(completed.size() - 1);
        assertThat(result.latestCheckpoint().map(CompletedCheckpoint::checkpointId)).as("latest checkpoint")
                .hasValue(last.checkpointId());
        int firstWithoutShortSplit = completed.indexOf(completed.stream()
                .filter(cp -> finished(cp.metadata(), CoordinatorTckJob.SOURCE, 0)).findFirst().orElseThrow());
        assertThat(completed.subList(firstWithoutShortSplit, completed.size()))
                .as("checkpoints completed from the first one with %s#0 finished on", CoordinatorTckJob.SOURCE)
                .hasSizeGreaterThanOrEqualTo(2)
                .allMatch(cp -> finished(cp.metadata(), CoordinatorTckJob.SOURCE, 0));
        CoordinatorTckJob.assertExactlyOnce(source, out);
        assertThat(CoordinatorTckJob.uncommittedFiles(out)).as("pending or in-progress files left by the sink")
                .isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** The base configuration of the rules: a 20 ms interval, a 10 s timeout, failures tolerated (unless a rule says). */
    protected CheckpointConfig.Builder config() {
        return CheckpointConfig.builder().interval(Duration.ofMillis(20)).checkpointTimeout(Duration.ofSeconds(10))
                .tolerableCheckpointFailureNumber(100);
    }

    private JobGraph endlessJob() {
        return endlessJob(directory("out"));
    }

    private static JobGraph endlessJob(Path out) {
        return CoordinatorTckJob.graph(Events.endless(2, 11, 10), 2, 2, 2, false, out);
    }

    private CoordinatorFaultyStorage storage(String job) {
        Path dir = directory("storage");
        CheckpointStorage s = Objects.requireNonNull(createCheckpointStorage("coord-" + job.toLowerCase(
                java.util.Locale.ROOT).replace('_', '-') + "-" + (++storages), dir),
                "createCheckpointStorage returned null");
        CoordinatorFaultyStorage wrapped = new CoordinatorFaultyStorage(s, Duration.ofSeconds(20));
        resources.add(wrapped);
        return wrapped;
    }

    private Path directory(String name) {
        try {
            return Files.createDirectories(tempDir.resolve(name + "-" + (++directories)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Run start(JobGraph graph, CheckpointConfig config, CoordinatorFaultyStorage storage,
            Consumer<JobRunner.Builder> customizer) {
        return start(graph, config, storage, customizer, new Run[1]);
    }

    private Run start(JobGraph graph, CheckpointConfig config, CoordinatorFaultyStorage storage,
            Consumer<JobRunner.Builder> customizer, Run[] holder) {
        Run run = new Run();
        JobRunner.Builder b = JobRunner.builder(graph).checkpointConfig(config).stateBackend(backend)
                .checkpointStorage(storage).restartStrategy(RestartStrategy.fixedDelay(10, Duration.ofMillis(10)))
                .localDirectory(directory("local")).statsListener(run).listener(run);
        customizer.accept(b);
        run.runner = b.build();
        resources.add(run.runner);
        holder[0] = run;
        run.runner.start();
        return run;
    }

    private static int parallelismOf(CompletedCheckpoint cp, String operator) {
        return operatorOf(cp.metadata(), operator).parallelism();
    }

    private static OperatorSnapshot operatorOf(CheckpointMetadata m, String operator) {
        return m.operators().stream().filter(o -> o.operatorId().equals(operator)).findFirst()
                .orElseThrow(() -> new AssertionError("checkpoint " + m.checkpointId() + " has no operator " + operator));
    }

    private static boolean finished(CheckpointMetadata m, String operator, int subtask) {
        for (SubtaskSnapshot s : operatorOf(m, operator).subtasks()) {
            if (s.subtaskIndex() == subtask) {
                return s.finished();
            }
        }
        throw new AssertionError("checkpoint " + m.checkpointId() + " has no subtask " + operator + "#" + subtask);
    }

    private static void assertIncreasing(List<Long> ids, String what) {
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("%s: %s", what, ids).isGreaterThan(ids.get(i - 1));
        }
    }

    /**
     * The storage holds exactly the checkpoints {@code ids} (listed, and each resolvable with its files), and
     * every other checkpoint the run finalized is gone: it no longer resolves and its exclusive files that no
     * kept checkpoint references are deleted.
     */
    private void assertStorageHoldsExactly(CoordinatorFaultyStorage storage, List<Long> ids) {
        if (listsCompletedCheckpoints()) {
            assertThat(storage.completedCheckpoints()).extracting(CompletedCheckpoint::checkpointId)
                    .as("checkpoints the storage lists").containsExactlyElementsOf(ids);
        }
        Set<StreamStateHandle> referenced = new HashSet<>();
        List<CompletedCheckpoint> finalized = storage.finalizedCheckpoints();
        for (CompletedCheckpoint cp : finalized) {
            if (ids.contains(cp.checkpointId())) {
                assertKept(storage, cp, "retained checkpoint " + cp.checkpointId());
                referenced.addAll(CoordinatorFaultyStorage.streamsOf(cp.metadata()));
            }
        }
        assertThat(finalized.stream().map(CompletedCheckpoint::checkpointId).toList()).as("checkpoints finalized")
                .containsAll(ids);
        for (CompletedCheckpoint cp : finalized) {
            if (!ids.contains(cp.checkpointId())) {
                assertDeleted(storage, cp, referenced, "checkpoint " + cp.checkpointId() + " (kept: " + ids + ")");
            }
        }
    }

    private void assertKept(CoordinatorFaultyStorage storage, CompletedCheckpoint cp, String what) {
        Throwable resolveFailure = catchThrowable(() -> storage.resolve(cp.pointer()));
        assertThat(resolveFailure).as("resolving %s at %s", what, cp.pointer()).isNull();
        for (StreamStateHandle h : CoordinatorFaultyStorage.streamsOf(cp.metadata())) {
            if (isStoredOutsideMetadata(h)) {
                Throwable readFailure = catchThrowable(() -> {
                    try (SeekableInputStream in = storage.open(h)) {
                        in.read();
                    }
                });
                assertThat(readFailure).as("reading %s of %s", h, what).isNull();
            }
        }
    }

    private void assertDeleted(CoordinatorFaultyStorage storage, CompletedCheckpoint cp,
            Set<StreamStateHandle> referencedElsewhere, String what) {
        assertThat(catchThrowable(() -> storage.resolve(cp.pointer())))
                .as("resolving the deleted %s at %s (it must be gone)", what, cp.pointer()).isNotNull();
        Set<StreamStateHandle> exclusive = new HashSet<>();
        for (CoordinatorFaultyStorage.Written w : storage.written(cp.checkpointId())) {
            if (w.scope() == CheckpointedStateScope.EXCLUSIVE) {
                exclusive.add(w.handle());
            }
        }
        // a merged segment lives as long as its physical file, which lives while any retained checkpoint refers to it
        Set<String> liveMergedFiles = new HashSet<>();
        for (StreamStateHandle h : referencedElsewhere) {
            if (h instanceof SegmentStateHandle s) {
                liveMergedFiles.add(s.physicalLocation());
            }
        }
        for (StreamStateHandle h : CoordinatorFaultyStorage.streamsOf(cp.metadata())) {
            boolean keptByItsFile = h instanceof SegmentStateHandle s && liveMergedFiles.contains(s.physicalLocation());
            if (exclusive.contains(h) && !referencedElsewhere.contains(h) && !keptByItsFile
                    && isStoredOutsideMetadata(h)) {
                assertNotReadable(storage, h, "exclusive state file of the deleted " + what);
            }
        }
    }

    private static void assertNotReadable(CheckpointStorage storage, StreamStateHandle h, String what) {
        Throwable failure = catchThrowable(() -> {
            try (SeekableInputStream in = storage.open(h)) {
                in.read();
            }
        });
        assertThat(failure).as("reading %s %s (it must have been deleted)", what, h).isNotNull();
    }

    /** One job run with everything the rules observe about it. */
    private final class Run implements CheckpointStatsListener, JobListener {
        static final String FAILOVER = "FAILOVER";

        JobRunner runner;
        final List<CheckpointStats> completed = new CopyOnWriteArrayList<>();
        final List<CheckpointStats> failed = new CopyOnWriteArrayList<>();
        final List<OptionalLong> attempts = new CopyOnWriteArrayList<>();
        private final List<Integer> completedAtAttemptStart = new CopyOnWriteArrayList<>();
        final List<Throwable> failovers = new CopyOnWriteArrayList<>();
        /** C&lt;id&gt;, F&lt;id&gt;:&lt;reason&gt; and FAILOVER, in the order they were reported. */
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onCheckpointCompleted(CheckpointStats stats) {
            if (!stats.savepoint()) {
                completed.add(stats);
                log.add("C" + stats.checkpointId());
            }
        }

        @Override
        public void onCheckpointFailed(CheckpointStats stats) {
            if (!stats.savepoint()) {
                failed.add(stats);
                log.add("F" + stats.checkpointId() + ":" + stats.failureReason());
            }
        }

        @Override
        public void onAttemptStarted(int attempt, OptionalLong checkpointId) {
            completedAtAttemptStart.add(completed.size());
            attempts.add(checkpointId);
        }

        /** Whether a checkpoint completed since attempt {@code attempt} started. */
        boolean completedInAttempt(int attempt) {
            return completedInAttempt(attempt, 1);
        }

        /** Whether at least {@code n} checkpoints completed since attempt {@code attempt} started. */
        boolean completedInAttempt(int attempt, int n) {
            return attempt < completedAtAttemptStart.size()
                    && completed.size() >= completedAtAttemptStart.get(attempt) + n;
        }

        @Override
        public void onFailure(int attempt, Throwable cause) {
            log.add(FAILOVER);
            failovers.add(cause);
        }

        List<Long> completedIds() {
            return completed.stream().map(CheckpointStats::checkpointId).toList();
        }

        List<Long> allIds() {
            List<Long> all = new ArrayList<>(completedIds());
            failed.forEach(s -> all.add(s.checkpointId()));
            return all;
        }

        void awaitCompleted(int n) {
            awaitCompleted(c -> c.size() >= n, n + " completed checkpoints");
        }

        void awaitCompleted(java.util.function.Predicate<List<CheckpointStats>> condition, String what) {
            await(() -> condition.test(completed), what);
        }

        CheckpointStats awaitFailed(long id) {
            await(() -> failed.stream().anyMatch(s -> s.checkpointId() == id), "checkpoint " + id + " to fail");
            return failed.stream().filter(s -> s.checkpointId() == id).findFirst().orElseThrow();
        }

        long awaitFault(CoordinatorFaultyStorage storage, Fault fault) {
            return awaitFaults(storage, fault, 1).get(0);
        }

        List<Long> awaitFaults(CoordinatorFaultyStorage storage, Fault fault, int n) {
            await(() -> faulted(storage, fault).size() >= n, n + " checkpoints with " + fault);
            return faulted(storage, fault);
        }

        private List<Long> faulted(CoordinatorFaultyStorage storage, Fault fault) {
            List<Long> ids = new ArrayList<>();
            for (Map.Entry<Long, Fault> e : storage.faultedCheckpoints().entrySet()) {
                if (e.getValue() == fault) {
                    ids.add(e.getKey());
                }
            }
            return ids;
        }

        void await(BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + jobTimeout().toNanos();
            while (!condition.getAsBoolean()) {
                if (runner.result().isPresent() && !condition.getAsBoolean()) {
                    throw new AssertionError("the job ended (" + runner.result().get().termination() + ", failures "
                            + runner.result().get().failures() + ") before " + what + "; " + this);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + jobTimeout().toSeconds() + " s waiting for " + what
                            + "; " + this);
                }
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for " + what, e);
                }
            }
        }

        JobResult cancel() throws TimeoutException {
            runner.cancel();
            return runner.awaitTermination(jobTimeout());
        }

        JobResult finish() throws TimeoutException {
            return runner.awaitTermination(jobTimeout());
        }

        @Override
        public String toString() {
            List<String> events;
            synchronized (log) {
                events = List.copyOf(log.subList(Math.max(0, log.size() - 30), log.size()));
            }
            return "completed " + completed.size() + ", failed " + failed.size() + ", fail-overs " + failovers
                    + ", last events " + events;
        }
    }
}
