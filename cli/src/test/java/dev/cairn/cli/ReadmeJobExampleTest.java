package dev.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.StateBackends;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.config.CheckpointingMode;
import dev.cairn.runtime.config.ExternalizedCheckpointRetention;
import dev.cairn.runtime.config.JobTermination;
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

    @Test
    void readmeJobRunsToCompletion(@TempDir Path dir) throws Exception {
        Path outputDir = dir.resolve("out");
        ReplayableSource<String> mySource = new ReplayableSource<>() {
            @Override
            public int splits() {
                return 2;
            }

            @Override
            public String read(int split, long offset) {
                return offset < 5000 ? WORDS[(int) ((offset + split) % WORDS.length)] : null;
            }
        };
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
}
