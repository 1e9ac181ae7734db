package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.coordinator.SubtaskId;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keyed counting job with injected failures commits every event exactly once (or at least once). */
class ExactlyOnceTest {
    @TempDir
    Path dir;

    private final List<CheckpointStats> completed = new CopyOnWriteArrayList<>();
    private final List<OptionalLong> restoredFrom = new CopyOnWriteArrayList<>();

    private JobResult run(CheckpointConfig config, TestJobs.EventSource source, FailureInjector injector)
            throws Exception {
        JobGraph graph = TestJobs.countingJob(source, 2, 3, 2, dir.resolve("out"));
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count");
                JobRunner runner = JobRunner.builder(graph).checkpointConfig(config)
                        .stateBackend(new TestStateBackend()).checkpointStorage(storage)
                        .restartStrategy(RestartStrategy.fixedDelay(10, Duration.ofMillis(10)))
                        .failureInjector(injector).listener(new JobListener() {
                            @Override
                            public void onAttemptStarted(int attempt, OptionalLong checkpointId) {
                                restoredFrom.add(checkpointId);
                            }
                        }).statsListener(new CheckpointStatsListener() {
                            @Override
                            public void onCheckpointCompleted(CheckpointStats stats) {
                                completed.add(stats);
                            }

                            @Override
                            public void onCheckpointFailed(CheckpointStats stats) {
                            }
                        }).build()) {
            JobResult result = runner.run(Duration.ofSeconds(60));
            return result;
        }
    }

    private static CheckpointConfig.Builder config() {
        return CheckpointConfig.builder().interval(Duration.ofMillis(20)).tolerableCheckpointFailureNumber(100);
    }

    @Test
    void alignedCheckpointsCommitEveryEventExactlyOnceDespiteFailures() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(4, 3000, 17, 50);
        FailureInjector.Counting injector = FailureInjector.random(42, 3, 4 * 3000 * 3);
        JobResult result = run(config().build(), source, injector);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(injector.injected()).isEqualTo(3);
        assertThat(result.restarts()).isEqualTo(3);
        assertThat(completed).isNotEmpty();
        assertThat(restoredFrom).as("restarts resume from a checkpoint").anyMatch(OptionalLong::isPresent);
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
    }

    @Test
    void unalignedCheckpointsCommitEveryEventExactlyOnceDespiteFailures() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(4, 3000, 17, 50);
        FailureInjector.Counting injector = FailureInjector.random(7, 3, 4 * 3000 * 3);
        JobResult result = run(config().unalignedCheckpoints(true).build(), source, injector);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(injector.injected()).isEqualTo(3);
        assertThat(completed).anySatisfy(s -> assertThat(s.taskMetrics().values())
                .anySatisfy(m -> assertThat(m.unaligned()).isTrue()));
        assertThat(restoredFrom).as("restarts resume from a checkpoint").anyMatch(OptionalLong::isPresent);
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
    }

    @Test
    void atLeastOnceLosesNoEvent() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(4, 3000, 17, 50);
        FailureInjector.Counting injector = FailureInjector.random(3, 2, 4 * 3000 * 3);
        JobResult result = run(config().mode(CheckpointingMode.AT_LEAST_ONCE).build(), source, injector);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(injector.injected()).isEqualTo(2);
        TestJobs.assertAtLeastOnce(source, dir.resolve("out"));
    }

    @Test
    void aFailureAtAGivenRecordOfAGivenSubtaskRestartsTheJob() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 2000, 5, 50);
        FailureInjector.Counting injector = FailureInjector.failOnceAt(new SubtaskId("count", 1), 700);
        JobResult result = run(config().build(), source, injector);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(result.restarts()).isEqualTo(1);
        assertThat(result.failures()).singleElement().satisfies(f -> assertThat(f).hasMessageContaining("count#1")
                .hasRootCauseInstanceOf(InjectedFailureException.class));
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
    }
}
