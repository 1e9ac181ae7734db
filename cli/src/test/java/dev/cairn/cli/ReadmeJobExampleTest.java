package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
import dev.cairn.runtime.config.RecoveryClaimMode;
import dev.cairn.runtime.coordinator.ResumePoint;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.JobResult;
import dev.cairn.runtime.dataflow.JobRunner;
import dev.cairn.runtime.dataflow.RestartStrategy;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Checkpoint a job" example, run as written, so the README stays true. */
class ReadmeJobExampleTest {
    static final String[] WORDS = {"cairn", "state", "checkpoint", "barrier"};

    static final class CountWords implements StreamOperator<String, String> {
        private ValueState<Long> count;

        @Override
        public void open(OperatorContext context) {
            count = context.<String>keyedState().getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(String word, Output<String> out) {
            long next = count.value() == null ? 1 : count.value() + 1;
            count.update(next);
            out.collect(word + "," + next);
        }
    }

    /** Two splits of {@code perSplit} words each, cycling through {@link #WORDS}. */
    static ReplayableSource<String> words(long perSplit) {
        return new ReplayableSource<>() {
            @Override
            public int splits() {
                return 2;
            }

            @Override
            public String read(int split, long offset) {
                return offset < perSplit ? WORDS[(int) ((offset + split) % WORDS.length)] : null;
            }
        };
    }

    @Test
    void readmeJobRunsToCompletion(@TempDir Path dir) throws Exception {
        Path outputDir = dir.resolve("out");
        ReplayableSource<String> mySource = words(5000);
        CheckpointConfig config = CheckpointConfig.builder()
                .interval(Duration.ofMillis(50))
                .mode(CheckpointingMode.EXACTLY_ONCE)
                .minPauseBetweenCheckpoints(Duration.ofMillis(20))
                .checkpointTimeout(Duration.ofMinutes(10))
                .tolerableCheckpointFailureNumber(3)
                .numRetainedCheckpoints(2)
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION)
                .unalignedCheckpoints(true).alignedCheckpointTimeout(Duration.ofMillis(200))
                .build();

        JobGraph.Builder graph = JobGraph.builder("word-count");
        graph.source("events", 2, mySource, Serializers.STRING)
                .keyBy(word -> word, Serializers.STRING)
                .process("count", 2, CountWords::new, Serializers.STRING)
                .sink("sink", 2, () -> new TwoPhaseCommitFileSink<String>(outputDir, line -> line));

        String checkpoints = "file://" + dir.resolve("checkpoints").toAbsolutePath();
        JobResult result;
        try (CheckpointStorage storage = CheckpointStorages.create(checkpoints, "word-count", Map.of());
                JobRunner job = JobRunner.builder(graph.build()).checkpointConfig(config)
                        .stateBackend(StateBackends.create("memory", Map.of())).checkpointStorage(storage)
                        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofSeconds(1)))
                        .build()) {
            result = job.run(Duration.ofMinutes(2));
        }
        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(TwoPhaseCommitFileSink.readCommitted(outputDir)).hasSize(10_000)
                .contains("cairn,2500", "barrier,2500");
    }

    /** The README's resume snippet: after a run that stopped without ending, the next run resumes and finishes. */
    @Test
    void readmeResumeSnippetContinuesFromTheNewestCheckpoint(@TempDir Path dir) throws Exception {
        Path outputDir = dir.resolve("out");
        ReplayableSource<String> mySource = words(200_000);
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofMillis(20)).numRetainedCheckpoints(2)
                .externalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION).build();
        JobGraph.Builder graph = JobGraph.builder("word-count");
        graph.source("events", 2, mySource, Serializers.STRING)
                .keyBy(word -> word, Serializers.STRING)
                .process("count", 2, CountWords::new, Serializers.STRING)
                .sink("sink", 2, () -> new TwoPhaseCommitFileSink<String>(outputDir, line -> line));
        JobGraph wordCount = graph.build();
        String checkpoints = "file://" + dir.resolve("checkpoints").toAbsolutePath();
        java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
        try (CheckpointStorage storage = CheckpointStorages.create(checkpoints, "word-count", Map.of());
                JobRunner job = JobRunner.builder(wordCount).checkpointConfig(config)
                        .stateBackend(StateBackends.create("memory", Map.of())).checkpointStorage(storage)
                        .statsListener(new dev.cairn.runtime.coordinator.CheckpointStatsListener() {
                            @Override
                            public void onCheckpointCompleted(dev.cairn.runtime.coordinator.CheckpointStats stats) {
                                completed.incrementAndGet();
                            }
                        }).build()) {
            job.start();
            while (completed.get() < 3) {
                Thread.sleep(5);
            }
        }

        JobResult result;
        OptionalLong resumedFrom;
        try (CheckpointStorage storage = CheckpointStorages.create(checkpoints, "word-count", Map.of())) {
            JobRunner.Builder runner = JobRunner.builder(wordCount).checkpointConfig(config)
                    .stateBackend(StateBackends.create("memory", Map.of())).checkpointStorage(storage);
            ResumePoint point = ResumePoint.takeOver(storage, false);   // true: pass over a damaged newest checkpoint
            if (point instanceof ResumePoint.Checkpoint cp) {
                runner.restoreFrom(cp.checkpoint(), RecoveryClaimMode.CLAIM);
            } else if (point instanceof ResumePoint.JobEnded ended) {
                throw new AssertionError("the stopped run did not end: " + ended);
            }
            resumedFrom = point instanceof ResumePoint.Checkpoint cp ? OptionalLong.of(cp.checkpoint().checkpointId())
                    : OptionalLong.empty();
            try (JobRunner job = runner.build()) {
                result = job.run(Duration.ofMinutes(2));
            }
            assertThat(ResumePoint.takeOver(storage, false)).isInstanceOf(ResumePoint.JobEnded.class);
        }
        assertThat(resumedFrom).isPresent();
        assertThat(result.termination()).isEqualTo(JobTermination.FINISHED);
        assertThat(TwoPhaseCommitFileSink.readCommitted(outputDir)).hasSize(400_000)
                .contains("cairn,50000", "barrier,50000").doesNotHaveDuplicates();
    }
}
