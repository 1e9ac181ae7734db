package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.ForwardingCheckpointStorage;
import dev.cairn.error.ConfigurationException;
import dev.cairn.error.StorageException;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.serialization.Serializers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job-level behaviour of the runner: iterations, cancellation and retention, and the two kinds of snapshot failure. */
class JobRunnerTest {
    @TempDir
    Path dir;

    private static JobGraph iterativeJob(TestJobs.EventSource source, Path out) {
        JobGraph.Builder b = JobGraph.builder("loop");
        JobGraph.DataStream<String> head = b.source("events", 1, source, Serializers.STRING)
                .process("head", 1, () -> (StreamOperator<String, String>) (r, o) -> o.collect(r), Serializers.STRING);
        head.sink("sink", 1, () -> new TwoPhaseCommitFileSink<String>(out, s -> s));
        head.process("tail", 1, () -> (StreamOperator<String, String>) (r, o) -> {
            if (!r.startsWith("again:")) {
                o.collect("again:" + r);
            }
        }, Serializers.STRING).feedbackTo("head");
        return b.build();
    }

    @Test
    void aJobWithAFeedbackEdgeIsRefusedWhenCheckpointingIsOnUnlessForced() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(1, 200, 3, 0);
        Path out = dir.resolve("out");
        JobGraph graph = iterativeJob(source, out);
        assertThat(graph.hasFeedbackEdge()).isTrue();
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("loop")) {
            CheckpointConfig on = CheckpointConfig.builder().interval(Duration.ofMillis(20)).build();
            assertThatThrownBy(() -> JobRunner.builder(graph).checkpointConfig(on).stateBackend(new TestStateBackend())
                    .checkpointStorage(storage).build()).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("feedback edge");

            CheckpointConfig forced = on.toBuilder().forceCheckpointingOnIterativeJobs(true).build();
            try (JobRunner runner = JobRunner.builder(graph).checkpointConfig(forced)
                    .stateBackend(new TestStateBackend()).checkpointStorage(storage).build()) {
                assertThat(runner.run(Duration.ofSeconds(30)).termination()).isEqualTo(JobTermination.FINISHED);
            }
        }
        assertThat(TwoPhaseCommitFileSink.readCommitted(out)).containsAll(source.all());
    }

    private JobResult runAndCancel(ExternalizedCheckpointRetention retention, CheckpointStorage storage)
            throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 1_000_000, 5, 10);
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofMillis(20))
                .externalizedCheckpointRetention(retention).build();
        try (JobRunner runner = JobRunner.builder(TestJobs.countingJob(source, 2, 2, 2, dir.resolve("out")))
                .checkpointConfig(config).stateBackend(new TestStateBackend()).checkpointStorage(storage).build()) {
            runner.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (runner.coordinator().latestCompletedCheckpoint().isEmpty() && System.nanoTime() < deadline) {
                TestJobs.sleep(10);
            }
            runner.cancel();
            return runner.awaitTermination(Duration.ofSeconds(20));
        }
    }

    @Test
    void cancellingKeepsOrDeletesRetainedCheckpointsPerTheRetentionPolicy() throws Exception {
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count")) {
            JobResult kept = runAndCancel(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION, storage);
            assertThat(kept.termination()).isEqualTo(JobTermination.CANCELED);
            assertThat(kept.latestCheckpoint()).isPresent();
            assertThat(storage.completedCheckpoints()).isNotEmpty();
        }
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("count")) {
            JobResult deleted = runAndCancel(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION, storage);
            assertThat(deleted.termination()).isEqualTo(JobTermination.CANCELED);
            assertThat(deleted.latestCheckpoint()).isPresent();
            assertThat(storage.completedCheckpoints()).isEmpty();
        }
    }

    /** Counts, but its synchronous snapshot phase fails once at checkpoint 3. */
    static final class FailingSnapshot implements StreamOperator<String, String> {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private final TestJobs.Count count = new TestJobs.Count();

        @Override
        public void open(dev.cairn.runtime.dataflow.api.OperatorContext context) {
            count.open(context);
        }

        @Override
        public void processElement(String record, Output<String> out) {
            count.processElement(record, out);
        }

        @Override
        public void snapshotState(long checkpointId) {
            if (checkpointId >= 3 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("synchronous phase failed at checkpoint " + checkpointId);
            }
        }
    }

    @Test
    void aSynchronousPhaseFailureFailsTheTaskAndTheJobFailsOverWhateverTheTolerance() throws Exception {
        FailingSnapshot.FAILED.set(false);
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 2000, 7, 20);
        Path out = dir.resolve("out");
        JobGraph.Builder b = JobGraph.builder("sync-failure").maxParallelism(32);
        b.source("events", 2, source, Serializers.STRING).keyBy(TestJobs::keyOf, Serializers.STRING)
                .process("count", 2, FailingSnapshot::new, Serializers.STRING)
                .sink("sink", 2, () -> new TwoPhaseCommitFileSink<String>(out, s -> s));
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofMillis(20))
                .tolerableCheckpointFailureNumber(100).build();
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("sync");
                JobRunner runner = JobRunner.builder(b.build()).checkpointConfig(config)
                        .stateBackend(new TestStateBackend()).checkpointStorage(storage)
                        .restartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).build()) {
            JobResult result = runner.run(Duration.ofSeconds(60));
            assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
            assertThat(result.restarts()).isEqualTo(1);
            assertThat(result.failures()).singleElement()
                    .satisfies(f -> assertThat(f).hasRootCauseMessage("synchronous phase failed at checkpoint 3"));
        }
        TestJobs.assertExactlyOnce(source, out);
    }

    /**
     * Memory storage whose first state stream of a checkpoint at or after {@code fromCheckpoint} fails, so that
     * asynchronous phase fails and its task declines.
     */
    static final class FailingStreamsStorage extends ForwardingCheckpointStorage {
        private final long fromCheckpoint;
        private final AtomicBoolean failed = new AtomicBoolean();

        FailingStreamsStorage(long fromCheckpoint) {
            super(new MemoryCheckpointStorage("async"));
            this.fromCheckpoint = fromCheckpoint;
        }

        @Override
        public CheckpointStorageLocation initializeLocation(long checkpointId) {
            CheckpointStorageLocation location = delegate.initializeLocation(checkpointId);
            return new CheckpointStorageLocation() {
                @Override
                public long checkpointId() {
                    return checkpointId;
                }

                @Override
                public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                    if (checkpointId >= fromCheckpoint && failed.compareAndSet(false, true)) {
                        throw new StorageException("injected: storage of checkpoint " + checkpointId + " is down");
                    }
                    return location.createOutputStream(scope);
                }

                @Override
                public CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
                    return location.finalizeCheckpoint(metadata);
                }

                @Override
                public void discardOnFailure() {
                    location.discardOnFailure();
                }
            };
        }
    }

    @Test
    void anAsynchronousPhaseFailureDeclinesTheCheckpointAndCountsTowardTheTolerance() throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(2, 2000, 7, 5);
        Path out = dir.resolve("out");
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofMillis(20))
                .tolerableCheckpointFailureNumber(0).build();
        try (FailingStreamsStorage storage = new FailingStreamsStorage(2);
                JobRunner runner = JobRunner.builder(TestJobs.countingJob(source, 2, 2, 2, out))
                        .checkpointConfig(config).stateBackend(new TestStateBackend()).checkpointStorage(storage)
                        .restartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).build()) {
            JobResult result = runner.run(Duration.ofSeconds(60));
            assertThat(storage.failed).as("a state stream of checkpoint >= 2 failed").isTrue();
            assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
            assertThat(result.restarts()).isEqualTo(1);
            assertThat(result.failures()).singleElement().satisfies(f -> assertThat(f)
                    .hasMessageStartingWith("Exceeded checkpoint tolerable failure threshold")
                    .hasMessageContaining("DECLINED"));
        }
        TestJobs.assertExactlyOnce(source, out);
    }
}
