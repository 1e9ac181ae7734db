package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.runtime.config.CheckpointConfig;
import dev.cairn.runtime.coordinator.CheckpointStats;
import dev.cairn.runtime.coordinator.CheckpointStatsListener;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.storage.MemoryCheckpointStorage;
import dev.cairn.serialization.Serializers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Under backpressure (a sink slowed to 1 ms per record behind full 64-record channels), an aligned barrier
 * has to queue behind every buffered record, while an unaligned one overtakes them: the unaligned
 * checkpoint must complete at least five times faster. Both durations are printed.
 */
class BackpressureTest {
    private static final int CHECKPOINTS = 3;

    /** A sink that takes 1 ms per record. */
    static final class SlowSink implements StreamOperator<String, Void> {
        @Override
        public void processElement(String record, Output<Void> out) {
            TestJobs.sleep(1);
        }
    }

    private static List<Long> measure(boolean unaligned) throws Exception {
        TestJobs.EventSource source = TestJobs.EventSource.uniform(4, 10_000_000, 31, 0);
        JobGraph.Builder b = JobGraph.builder("backpressure").maxParallelism(32);
        b.source("events", 2, source, Serializers.STRING)
                .keyBy(TestJobs::keyOf, Serializers.STRING)
                .process("count", 2, TestJobs.Count::new, Serializers.STRING)
                .rebalance()
                .sink("sink", 2, SlowSink::new);
        CheckpointConfig config = CheckpointConfig.builder().interval(Duration.ofHours(1))
                .unalignedCheckpoints(unaligned).build();
        Map<Long, Long> durations = new ConcurrentHashMap<>();
        List<Long> result = new ArrayList<>();
        try (MemoryCheckpointStorage storage = new MemoryCheckpointStorage("backpressure");
                JobRunner runner = JobRunner.builder(b.build()).checkpointConfig(config)
                        .stateBackend(new TestStateBackend()).checkpointStorage(storage)
                        .statsListener(new CheckpointStatsListener() {
                            @Override
                            public void onCheckpointCompleted(CheckpointStats stats) {
                                durations.put(stats.checkpointId(), stats.durationMillis());
                            }

                            @Override
                            public void onCheckpointFailed(CheckpointStats stats) {
                            }
                        }).build()) {
            runner.start();
            for (int i = 0; i < CHECKPOINTS; i++) {
                TestJobs.sleep(300);
                CompletedCheckpoint cp = runner.coordinator().triggerCheckpoint().get(20, TimeUnit.SECONDS);
                result.add(durations.get(cp.checkpointId()));
            }
            runner.cancel();
            runner.awaitTermination(Duration.ofSeconds(20));
        }
        return result;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    @Test
    void unalignedCheckpointsCompleteAtLeastFiveTimesFasterUnderBackpressure() throws Exception {
        List<Long> aligned = measure(false);
        List<Long> unaligned = measure(true);
        System.out.printf("checkpoint duration under backpressure (1 ms/record sink): aligned %s ms (median %d),"
                + " unaligned %s ms (median %d)%n", aligned, median(aligned), unaligned, median(unaligned));
        assertThat(median(aligned)).as("aligned %s vs unaligned %s", aligned, unaligned)
                .isGreaterThanOrEqualTo(5 * Math.max(1, median(unaligned)));
    }
}
