package dev.cairn.runtime.dataflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The keyed counting job the runtime tests run, and the checks of its committed output. */
final class TestJobs {
    private TestJobs() {
    }

    /**
     * Event {@code o} of split {@code s} is {@code k<key>@<s>:<o>}, with {@code key = (s*7919 + o) mod keys};
     * split {@code s} has {@code lengths[s]} events. Every {@code pauseEvery} reads it sleeps 1 ms.
     */
    record EventSource(int[] lengths, int keys, int pauseEvery) implements ReplayableSource<String> {
        static EventSource uniform(int splits, int perSplit, int keys, int pauseEvery) {
            int[] lengths = new int[splits];
            java.util.Arrays.fill(lengths, perSplit);
            return new EventSource(lengths, keys, pauseEvery);
        }

        @Override
        public int splits() {
            return lengths.length;
        }

        @Override
        public String read(int split, long offset) {
            if (offset >= lengths[split]) {
                return null;
            }
            if (pauseEvery > 0 && offset % pauseEvery == pauseEvery - 1) {
                sleep(1);
            }
            return event(split, offset);
        }

        String event(int split, long offset) {
            return "k" + ((split * 7919L + offset) % keys) + "@" + split + ":" + offset;
        }

        List<String> all() {
            List<String> all = new ArrayList<>();
            for (int s = 0; s < lengths.length; s++) {
                for (long o = 0; o < lengths[s]; o++) {
                    all.add(event(s, o));
                }
            }
            return all;
        }
    }

    static String keyOf(String event) {
        return event.substring(0, event.indexOf('@'));
    }

    /** Counts events per key in keyed value state and emits {@code event,count}. */
    static final class Count implements StreamOperator<String, String> {
        private ValueState<Long> count;

        @Override
        public void open(OperatorContext context) {
            count = context.<String>keyedState().getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(String event, Output<String> out) {
            Long c = count.value();
            long next = c == null ? 1 : c + 1;
            count.update(next);
            out.collect(event + "," + next);
        }
    }

    /** Passes records on, sleeping {@code millis} per record (a slow operator that backpressures). */
    static final class Slow implements StreamOperator<String, String> {
        private final long millis;

        Slow(long millis) {
            this.millis = millis;
        }

        @Override
        public void processElement(String record, Output<String> out) {
            sleep(millis);
            out.collect(record);
        }
    }

    static JobGraph countingJob(EventSource source, int sourceParallelism, int countParallelism,
            int sinkParallelism, Path out) {
        return countingJob(source, sourceParallelism, countParallelism, sinkParallelism, 0, out);
    }

    /** events -keyBy-> count -rebalance-> [slow (sleeps slowMillis per record) -forward->] 2PC file sink. */
    static JobGraph countingJob(EventSource source, int sourceParallelism, int countParallelism,
            int sinkParallelism, long slowMillis, Path out) {
        JobGraph.Builder b = JobGraph.builder("count").maxParallelism(32);
        JobGraph.DataStream<String> counted = b.source("events", sourceParallelism, source, Serializers.STRING)
                .keyBy(TestJobs::keyOf, Serializers.STRING)
                .process("count", countParallelism, Count::new, Serializers.STRING)
                .rebalance();
        if (slowMillis > 0) {
            counted = counted.process("slow", sinkParallelism, () -> new Slow(slowMillis), Serializers.STRING);
        }
        counted.sink("sink", sinkParallelism, () -> new TwoPhaseCommitFileSink<String>(out, s -> s));
        return b.build();
    }

    /** Every event exactly once, and for each key the counts 1..n exactly once. */
    static void assertExactlyOnce(EventSource source, Path out) {
        List<String> lines = TwoPhaseCommitFileSink.readCommitted(out);
        List<String> expected = source.all();
        Map<String, Integer> perKey = new HashMap<>();
        for (String e : expected) {
            perKey.merge(keyOf(e), 1, Integer::sum);
        }
        Set<String> seen = new HashSet<>();
        Map<String, List<Long>> counts = new TreeMap<>();
        for (String line : lines) {
            int comma = line.lastIndexOf(',');
            String event = line.substring(0, comma);
            assertThat(seen.add(event)).as("event %s committed twice", event).isTrue();
            counts.computeIfAbsent(keyOf(event), k -> new ArrayList<>()).add(Long.parseLong(line.substring(comma + 1)));
        }
        assertThat(seen).as("committed events").containsExactlyInAnyOrderElementsOf(expected);
        for (Map.Entry<String, List<Long>> e : counts.entrySet()) {
            List<Long> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            List<Long> want = new ArrayList<>();
            for (long i = 1; i <= perKey.get(e.getKey()); i++) {
                want.add(i);
            }
            assertThat(sorted).as("counts of key %s", e.getKey()).isEqualTo(want);
        }
    }

    /** Every event at least once; returns the number of duplicates. */
    static int assertAtLeastOnce(EventSource source, Path out) {
        List<String> lines = TwoPhaseCommitFileSink.readCommitted(out);
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (String line : lines) {
            if (!seen.add(line.substring(0, line.lastIndexOf(',')))) {
                duplicates++;
            }
        }
        assertThat(seen).as("committed events").containsAll(source.all());
        return duplicates;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
