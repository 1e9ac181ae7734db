package dev.cairn.tck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StateHandleReader;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.coordinator.StateAssignment;
import dev.cairn.runtime.coordinator.SubtaskRestoreState;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The deterministic job {@link CoordinatorTck} runs: a replayable source of events
 * {@code k<key>@<split>:<offset>}, partitioned by key into a keyed counting operator (value state
 * {@code count}, and optionally list state {@code events} holding every event it counted), then
 * rebalanced into the two-phase-commit file sink, which commits lines {@code <event>,<count>}. Also the
 * checks of its committed output and of the keyed state inside a checkpoint.
 */
public final class CoordinatorTckJob {
    public static final String SOURCE = "events";
    public static final String COUNT = "count";
    public static final String SINK = "sink";
    /** Key groups of the job; small, so that every subtask owns several keys and some key groups hold none. */
    public static final int MAX_PARALLELISM = 32;
    static final ValueStateDescriptor<Long> COUNT_STATE = new ValueStateDescriptor<>("count", Serializers.LONG);
    static final ListStateDescriptor<String> EVENTS_STATE = new ListStateDescriptor<>("events", Serializers.STRING);

    private CoordinatorTckJob() {
    }

    /**
     * Split {@code s} has {@code lengths[s]} events; event {@code o} of split {@code s} has key
     * {@code (s*7919 + o) mod keys}. Every {@code pauseEvery}-th read sleeps 1 ms (0: never), which only
     * changes the speed, never the data.
     */
    public static final class Events implements ReplayableSource<String> {
        private final int[] lengths;
        private final int keys;
        private final int pauseEvery;

        public Events(int[] lengths, int keys, int pauseEvery) {
            this.lengths = lengths.clone();
            this.keys = keys;
            this.pauseEvery = pauseEvery;
        }

        /** {@code splits} splits of {@code perSplit} events each. */
        public static Events uniform(int splits, int perSplit, int keys, int pauseEvery) {
            int[] lengths = new int[splits];
            Arrays.fill(lengths, perSplit);
            return new Events(lengths, keys, pauseEvery);
        }

        /** Splits that never end in a test's lifetime; such a job runs until it is cancelled or fails. */
        public static Events endless(int splits, int keys, int pauseEvery) {
            return uniform(splits, Integer.MAX_VALUE, keys, pauseEvery);
        }

        /** The same events, read at another speed. */
        public Events withPauseEvery(int reads) {
            return new Events(lengths, keys, reads);
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
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return event(split, offset);
        }

        String event(int split, long offset) {
            return "k" + ((split * 7919L + offset) % keys) + "@" + split + ":" + offset;
        }

        /** Every event, split by split. */
        public List<String> all() {
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

    private static int splitOf(String event) {
        return Integer.parseInt(event.substring(event.indexOf('@') + 1, event.indexOf(':')));
    }

    private static long offsetOf(String event) {
        return Long.parseLong(event.substring(event.indexOf(':') + 1));
    }

    /** Counts events per key in keyed value state (and keeps them in list state if asked) and emits {@code event,count}. */
    static final class Count implements StreamOperator<String, String> {
        private final boolean trackEvents;
        private ValueState<Long> count;
        private ListState<String> events;

        Count(boolean trackEvents) {
            this.trackEvents = trackEvents;
        }

        @Override
        public void open(OperatorContext context) {
            KeyedStateBackend<String> state = context.keyedState();
            count = state.getState(COUNT_STATE);
            if (trackEvents) {
                events = state.getState(EVENTS_STATE);
            }
        }

        @Override
        public void processElement(String event, Output<String> out) {
            Long c = count.value();
            long next = c == null ? 1 : c + 1;
            count.update(next);
            if (trackEvents) {
                events.add(event);
            }
            out.collect(event + "," + next);
        }
    }

    /** events -keyBy-> count -rebalance-> two-phase-commit file sink writing to {@code out}. */
    public static JobGraph graph(Events source, int sourceParallelism, int countParallelism, int sinkParallelism,
            boolean trackEvents, Path out) {
        JobGraph.Builder b = JobGraph.builder("coordinator-tck").maxParallelism(MAX_PARALLELISM);
        b.source(SOURCE, sourceParallelism, source, Serializers.STRING)
                .keyBy(CoordinatorTckJob::keyOf, Serializers.STRING)
                .process(COUNT, countParallelism, () -> new Count(trackEvents), Serializers.STRING)
                .rebalance()
                .sink(SINK, sinkParallelism, () -> new TwoPhaseCommitFileSink<String>(out, s -> s));
        return b.build();
    }

    /** The committed output holds every event exactly once, and for each key the counts 1..n exactly once. */
    public static void assertExactlyOnce(Events source, Path out) {
        List<String> lines = TwoPhaseCommitFileSink.readCommitted(out);
        List<String> expected = source.all();
        Map<String, Integer> perKey = new HashMap<>();
        for (String e : expected) {
            perKey.merge(keyOf(e), 1, Integer::sum);
        }
        Set<String> seen = new HashSet<>();
        Map<String, List<Long>> counts = new TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : lines) {
            int comma = line.lastIndexOf(',');
            String event = line.substring(0, comma);
            if (!seen.add(event)) {
                duplicates.add(event);
            }
            counts.computeIfAbsent(keyOf(event), k -> new ArrayList<>()).add(Long.parseLong(line.substring(comma + 1)));
        }
        assertThat(duplicates).as("events committed more than once (of %d lines for %d events)", lines.size(),
                expected.size()).isEmpty();
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(seen);
        assertThat(missing).as("events never committed (of %d lines for %d events)", lines.size(), expected.size())
                .isEmpty();
        assertThat(lines).as("committed lines").hasSize(expected.size());
        for (Map.Entry<String, List<Long>> e : counts.entrySet()) {
            List<Long> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            List<Long> want = new ArrayList<>();
            for (long i = 1; i <= perKey.get(e.getKey()); i++) {
                want.add(i);
            }
            assertThat(sorted).as("the counts committed for key %s (keyed state lost or counted twice?)", e.getKey())
                    .isEqualTo(want);
        }
    }

    /** Every event is committed at least once; returns the number of duplicates. */
    public static int assertAtLeastOnce(Events source, Path out) {
        List<String> lines = TwoPhaseCommitFileSink.readCommitted(out);
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        for (String line : lines) {
            if (!seen.add(line.substring(0, line.lastIndexOf(',')))) {
                duplicates++;
            }
        }
        Set<String> missing = new TreeSet<>(source.all());
        missing.removeAll(seen);
        assertThat(missing).as("events lost (never committed)").isEmpty();
        return duplicates;
    }

    /** Files of the sink's directory that are not committed output (pending or in-progress leftovers). */
    public static List<String> uncommittedFiles(Path out) {
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the keyed state of the counting operator in {@code metadata} with {@code backend}, one keyed
     * backend per subtask of the checkpoint, and checks it is exact for an aligned checkpoint of a job run with
     * {@code trackEvents}: every key lives in exactly one subtask, the one owning its key group; its count equals
     * the number of events it holds; and the events of all keys together are, for every split, exactly the
     * offsets {@code 0 .. n-1} once each (nothing lost, nothing counted twice).
     *
     * @return the number of events the checkpoint covers
     */
    public static long assertKeyedStateExact(CheckpointMetadata metadata, StateBackend backend,
            StateHandleReader reader, Path localDirectory) {
        OperatorSnapshot count = metadata.operators().stream().filter(o -> o.operatorId().equals(COUNT)).findFirst()
                .orElseThrow(() -> new AssertionError("checkpoint " + metadata.checkpointId() + " has no state of "
                        + COUNT));
        int parallelism = count.parallelism();
        List<SubtaskRestoreState> assigned = StateAssignment.assign(metadata, COUNT, parallelism, MAX_PARALLELISM);
        Map<String, Integer> ownerOf = new HashMap<>();
        Map<Integer, TreeSet<Long>> offsets = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        long covered = 0;
        for (int i = 0; i < parallelism; i++) {
            SubtaskRestoreState s = assigned.get(i);
            Path dir = localDirectory.resolve("chk-" + metadata.checkpointId() + "-" + i);
            try (KeyedStateBackend<String> state = backend.createKeyedBackend(new KeyedBackendParameters<>(COUNT,
                    Serializers.STRING, MAX_PARALLELISM, s.keyGroupRange(), dir, reader), s.keyedState())) {
                ValueState<Long> counts = state.getState(COUNT_STATE);
                ListState<String> events = state.getState(EVENTS_STATE);
                Set<String> keys = new TreeSet<>(state.keys(COUNT_STATE.name()).toList());
                keys.addAll(state.keys(EVENTS_STATE.name()).toList());
                for (String key : keys) {
                    Integer other = ownerOf.put(key, i);
                    if (other != null) {
                        problems.add("key " + key + " restored in subtasks " + other + " and " + i);
                    }
                    int kg = KeyGroups.keyGroupOf(key, MAX_PARALLELISM);
                    if (!s.keyGroupRange().contains(kg)) {
                        problems.add("key " + key + " (key group " + kg + ") restored in subtask " + i + " owning "
                                + s.keyGroupRange());
                    }
                    state.setCurrentKey(key);
                    Long c = counts.value();
                    List<String> seen = new ArrayList<>();
                    events.get().forEach(seen::add);
                    if (c == null || c != seen.size()) {
                        problems.add("key " + key + " has count " + c + " but " + seen.size() + " counted events");
                    }
                    for (String e : seen) {
                        if (!keyOf(e).equals(key)) {
                            problems.add("key " + key + " holds event " + e + " of another key");
                        }
                        if (!offsets.computeIfAbsent(splitOf(e), x -> new TreeSet<>()).add(offsetOf(e))) {
                            problems.add("event " + e + " counted twice");
                        }
                        covered++;
                    }
                }
            }
            if (problems.size() > 20) {
                break;
            }
        }
        for (Map.Entry<Integer, TreeSet<Long>> e : offsets.entrySet()) {
            TreeSet<Long> o = e.getValue();
            if (o.last() != o.size() - 1) {
                TreeSet<Long> gaps = new TreeSet<>();
                for (long x = 0; x <= o.last() && gaps.size() < 5; x++) {
                    if (!o.contains(x)) {
                        gaps.add(x);
                    }
                }
                problems.add("split " + e.getKey() + ": events up to offset " + o.last() + " are counted but "
                        + (o.last() + 1 - o.size()) + " before them are not (missing offsets " + gaps + "…)");
            }
        }
        assertThat(problems).as("keyed state of '%s' in checkpoint %d (parallelism %d)", COUNT,
                metadata.checkpointId(), parallelism).isEmpty();
        return covered;
    }
}
