package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bounded sources finish, checkpoints go on without them, and a final checkpoint lets the sink commit. */
class FinishedTasksTest {
    @TempDir
    Path dir;

    private final List<CheckpointMetadata> completed = new CopyOnWriteArrayList<>();
    private final List<CheckpointStats> failed = new CopyOnWriteArrayList<>();

    private JobResult run(CheckpointConfig config, TestJobs.EventSource source) throws Exception {
        JobGraph graph = TestJobs.countingJob(source, 2, 2, 2, dir.resolve("out"));
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count");
                JobRunner runner = JobRunner.builder(graph).checkpointConfig(config)
                        .stateBackend(new TestStateBackend()).checkpointStorage(storage)
                        .statsListener(new CheckpointStatsListener() {
                            @Override
                            public void onCheckpointCompleted(CheckpointStats stats) {
                                completed.add(storage.resolve(stats.pointer()).metadata());
                            }

                            @Override
                            public void onCheckpointFailed(CheckpointStats stats) {
                                failed.add(stats);
                            }
                        }).build()) {
            return runner.run(Duration.ofSeconds(60));
        }
    }

    private static boolean finished(CheckpointMetadata m, String operator, int subtask) {
        for (OperatorSnapshot op : m.operators()) {
            if (op.operatorId().equals(operator)) {
                return op.subtasks().get(subtask).finished();
            }
        }
        throw new AssertionError("no operator " + operator);
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("out"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void checkpointsContinueAfterABoundedSourceSubtaskFinished() throws Exception {
        TestJobs.EventSource source = new TestJobs.EventSource(new int[] {20, 3000}, 13, 10);
        JobResult result = run(CheckpointConfig.builder().interval(Duration.ofMillis(20)).build(), source);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(completed.stream().filter(m -> finished(m, "events", 0) && !finished(m, "events", 1)).count())
                .as("checkpoints completed with events#0 finished and events#1 running").isPositive();
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void withoutCheckpointsAfterTasksFinishNoCheckpointCoversAFinishedTaskAndTheOutputIsComplete() throws Exception {
        TestJobs.EventSource source = new TestJobs.EventSource(new int[] {20, 3000}, 13, 10);
        JobResult result = run(CheckpointConfig.builder().interval(Duration.ofMillis(20))
                .checkpointsAfterTasksFinish(false).build(), source);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(completed.stream().filter(m -> finished(m, "events", 0)).count())
                .as("checkpoints completed after events#0 finished").isZero();
        assertThat(failed).noneMatch(s -> s.failureReason() != null && s.failureReason().isCounted());
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
    }

    @Test
    void aFinalCheckpointAtTheEndOfInputLetsTheSinkCommit() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 500, 7, 0);
        JobResult result = run(CheckpointConfig.builder().interval(Duration.ofHours(1)).build(), source);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(completed).as("only the final checkpoint").hasSize(1);
        assertThat(result.latestCheckpoint()).hasValueSatisfying(cp -> assertThat(cp.checkpointId())
                .isEqualTo(completed.get(0).checkpointId()));
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
        assertThat(leftovers()).as("nothing left pending or in progress").isEmpty();
    }

    @Test
    void withCheckpointingOffTheSinkCommitsAtTheEndOfInput() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 500, 7, 0);
        JobResult result = run(CheckpointConfig.builder().build(), source);

        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(completed).isEmpty();
        TestJobs.assertExactlyOnce(source, dir.resolve("out"));
        assertThat(leftovers()).isEmpty();
    }
}
