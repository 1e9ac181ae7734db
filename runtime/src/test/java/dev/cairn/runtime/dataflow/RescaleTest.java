package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job cancelled with its checkpoints retained is resumed from the latest one at another parallelism;
 * keyed state moves by key group, source offsets and pending sink files by split redistribution, and
 * persisted in-flight records are re-routed to the subtask owning their key. The output stays exactly once.
 */
class RescaleTest {
    @TempDir
    Path dir;

    private CompletedCheckpoint runAndCancel(JobGraph graph, CheckpointConfig config, MemoryCheckpointStorage storage,
            CompletedCheckpoint from, int checkpoints) throws Exception {
        CountDownLatch enough = new CountDownLatch(checkpoints);
        JobRunner.Builder builder = JobRunner.builder(graph);
        if (from != null) {
            builder.restoreFrom(from, RecoveryClaimMode.CLAIM);
        }
        try (JobRunner runner = builder.checkpointConfig(config).stateBackend(new TestStateBackend())
                .checkpointStorage(storage).statsListener(new CheckpointStatsListener() {
                    @Override
                    public void onCheckpointCompleted(CheckpointStats stats) {
                        enough.countDown();
                    }

                    @Override
                    public void onCheckpointFailed(CheckpointStats stats) {
                    }
                }).build()) {
            runner.start();
            assertThat(enough.await(30, TimeUnit.SECONDS)).as("checkpoints completed").isTrue();
            runner.cancel();
            JobResult result = runner.awaitTermination(Duration.ofSeconds(30));
            assertThat(result.termination()).isEqualTo(JobTermination.CANCELED);
            return result.latestCheckpoint().orElseThrow();
        }
    }

    private JobResult resume(JobGraph graph, CheckpointConfig config, MemoryCheckpointStorage storage,
            CompletedCheckpoint from) throws Exception {
        try (JobRunner runner = JobRunner.builder(graph).checkpointConfig(config).stateBackend(new TestStateBackend())
                .checkpointStorage(storage).restoreFrom(from, RecoveryClaimMode.NO_CLAIM).build()) {
            return runner.run(Duration.ofSeconds(30));
        }
    }

    private static CheckpointConfig.Builder retained() {
        return CheckpointConfig.builder().interval(Duration.ofMillis(20))
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }

    @Test
    void scalesUpAndDownFromARetainedAlignedCheckpoint() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(6, 3000, 23, 10);
        Path out = dir.resolve("out");
        CheckpointConfig config = retained().build();
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count")) {
            CompletedCheckpoint first = runAndCancel(TestJobs.countingJob(source, 2, 2, 2, out), config, storage, null, 3);
            int committed = TwoPhaseCommitFileSink.readCommitted(out).size();
            assertThat(committed).as("committed before the rescale").isBetween(1, source.all().size() - 1);

            CompletedCheckpoint second = runAndCancel(TestJobs.countingJob(source, 3, 4, 3, out), retained().build(),
                    storage, first, 2);
            assertThat(second.checkpointId()).isGreaterThan(first.checkpointId());
            assertThat(operator(second, "count").parallelism()).isEqualTo(4);

            JobResult result = resume(TestJobs.countingJob(source, 1, 1, 1, out), config, storage, second);
            assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        }
        TestJobs.assertExactlyOnce(source, out);
    }

    @Test
    void unalignedChannelStateIsReroutedAfterARescale() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(4, 500, 11, 0);
        Path out = dir.resolve("out");
        CheckpointConfig config = retained().unalignedCheckpoints(true).build();
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count")) {
            CompletedCheckpoint cp = runAndCancel(TestJobs.countingJob(source, 2, 2, 2, 1, out), config, storage, null, 3);
            assertThat(channelStateElements(cp)).as("in-flight records persisted by the restored checkpoint")
                    .isPositive();

            JobResult result = resume(TestJobs.countingJob(source, 3, 3, 3, 1, out), config, storage, cp);
            assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        }
        TestJobs.assertExactlyOnce(source, out);
    }

    private static OperatorSnapshot operator(CompletedCheckpoint cp, String id) {
        return cp.metadata().operators().stream().filter(o -> o.operatorId().equals(id)).findFirst().orElseThrow();
    }

    private static long channelStateElements(CompletedCheckpoint cp) {
        long n = 0;
        for (OperatorSnapshot op : cp.metadata().operators()) {
            for (SubtaskSnapshot st : op.subtasks()) {
                for (OperatorStateHandle h : st.operatorState()) {
                    OperatorStateHandle.StateMetaInfo info = h.states().get(ChannelState.STATE_NAME);
                    n += info == null ? 0 : info.size();
                }
            }
        }
        return n;
    }
}
