package dev.cairn.backend.rocksdb;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.dataflow.JobGraph;
import dev.cairn.runtime.dataflow.api.OperatorContext;
import dev.cairn.runtime.dataflow.api.Output;
import dev.cairn.runtime.dataflow.api.ReplayableSource;
import dev.cairn.runtime.dataflow.api.StreamOperator;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapState;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The churn workload of the file-merging acceptance tests: a replayable source of events over {@code splits}
 * splits, keyed into a keyed sink that keeps four states per key and updates and deletes them (churn), so
 * RocksDB's flushes and compactions keep replacing SST files.
 *
 * <p>An event is {@code split << 40 | offset}; its key belongs to its split only, so every key sees its events
 * in split order at any parallelism, and the state after the events {@code [0, n_s)} of every split is a
 * deterministic function that {@link #model} computes. Per event (from its hash): 10% delete the key (all four
 * states), 10% remove one map entry, 80% update: the value ({@value #VALUE_SIZE} B), one of
 * {@value #FIELDS} map entries ({@value #FIELD_SIZE} B), the list (append {@value #HISTORY_SIZE} B, or reset it
 * to one element one time in eight), and the profile value ({@value #PROFILE_SIZE} B: set on half, cleared on
 * 1 in 16 of the updates).
 *
 * <p>The source is gated: it hands out offsets below {@link Source#allow} only, so a driver controls how many
 * events fall between two checkpoints.
 */
public final class ChurnJob {
    public static final String SOURCE = "events";
    public static final String OPERATOR = "churn";
    public static final int MAX_PARALLELISM = 128;
    static final int VALUE_SIZE = 100;
    static final int FIELD_SIZE = 32;
    static final int HISTORY_SIZE = 24;
    static final int PROFILE_SIZE = 48;
    static final int FIELDS = 8;
    static final ValueStateDescriptor<byte[]> VALUE = new ValueStateDescriptor<>("value", Serializers.BYTES);
    static final MapStateDescriptor<Integer, byte[]> FIELD_MAP = new MapStateDescriptor<>("fields", Serializers.INT,
            Serializers.BYTES);
    static final ListStateDescriptor<byte[]> HISTORY = new ListStateDescriptor<>("history", Serializers.BYTES);
    static final ValueStateDescriptor<byte[]> PROFILE = new ValueStateDescriptor<>("profile", Serializers.BYTES);
    private static final long OFFSET_MASK = (1L << 40) - 1;

    private final int splits;
    private final int keysPerSplit;

    public ChurnJob(int splits, int keysPerSplit) {
        this.splits = splits;
        this.keysPerSplit = keysPerSplit;
    }

    public int splits() {
        return splits;
    }

    static long event(int split, long offset) {
        return (long) split << 40 | offset;
    }

    static int splitOf(long event) {
        return (int) (event >>> 40);
    }

    static long hash(long event) {
        long x = event * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        x *= 0xC4CEB9FE1A85EC53L;
        x ^= x >>> 33;
        return x;
    }

    long keyOf(long event) {
        return (long) splitOf(event) * keysPerSplit + Math.floorMod(hash(event), keysPerSplit);
    }

    /** Deterministic bytes of {@code size} from {@code seed}. */
    static byte[] payload(long seed, int size) {
        byte[] b = new byte[size];
        long x = seed | 1;
        for (int i = 0; i < size; i++) {
            if ((i & 7) == 0) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
            }
            b[i] = (byte) (x >>> ((i & 7) * 8));
        }
        return b;
    }

    /** What an event does to its key's states; implemented by the real states and by the model. */
    interface Target {
        void delete();

        void removeField(int field);

        void value(long seed);

        void field(int field, long seed);

        void appendHistory(long seed);

        void resetHistory(long seed);

        void profile(long seed);

        void clearProfile();
    }

    static void apply(long event, Target t) {
        long h = hash(event);
        int roll = (int) ((h >>> 40) % 100);
        int field = (int) ((h >>> 8) & (FIELDS - 1));
        if (roll < 10) {
            t.delete();
        } else if (roll < 20) {
            t.removeField(field);
        } else {
            t.value(h);
            t.field(field, h ^ 0x5555);
            if (((h >>> 16) & 7) == 0) {
                t.resetHistory(h ^ 0xAAAA);
            } else {
                t.appendHistory(h ^ 0xAAAA);
            }
            if (roll < 60) {
                t.profile(h ^ 0x3333);
            } else if (roll < 65) {
                t.clearProfile();
            }
        }
    }

    /** The gated replayable source: split {@code s} has {@code length} events; offsets at or above the gate wait. */
    public static final class Source implements ReplayableSource<Long> {
        private final int splits;
        private final long length;
        private volatile long allowed;
        private volatile boolean dribble;
        private final AtomicLong maxRead = new AtomicLong(-1);

        public Source(int splits, long length) {
            this.splits = splits;
            this.length = length;
        }

        /** Hands out offsets below {@code offset} of every split from now on. */
        public void allow(long offset) {
            synchronized (this) {
                allowed = Math.max(allowed, offset);
                notifyAll();
            }
        }

        /**
         * While on, a reader at the gate gets one record per millisecond instead of waiting: a source task blocked
         * in {@code read} cannot take a checkpoint barrier, so a driver turns this on while it triggers a
         * checkpoint and off once the barrier is through.
         */
        public void dribble(boolean on) {
            synchronized (this) {
                dribble = on;
                notifyAll();
            }
        }

        public long allowed() {
            return allowed;
        }

        /** The highest offset read so far, of any split. */
        public long maxRead() {
            return maxRead.get();
        }

        @Override
        public int splits() {
            return splits;
        }

        @Override
        public Long read(int split, long offset) {
            if (offset >= length) {
                return null;
            }
            if (offset >= allowed) {
                synchronized (this) {
                    while (offset >= allowed) {
                        try {
                            if (dribble) {
                                wait(1);
                                break;
                            }
                            wait();
                        } catch (InterruptedException e) {
                            // cancelled: the task stops after this record
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
            }
            maxRead.accumulateAndGet(offset, Math::max);
            return event(split, offset);
        }
    }

    /** One key's expected state; seeds of the payloads. */
    static final class KeyModel implements Target {
        Long value;
        final TreeMap<Integer, Long> fields = new TreeMap<>();
        final List<Long> history = new ArrayList<>();
        Long profile;

        @Override
        public void delete() {
            value = null;
            fields.clear();
            history.clear();
            profile = null;
        }

        @Override
        public void removeField(int field) {
            fields.remove(field);
        }

        @Override
        public void value(long seed) {
            value = seed;
        }

        @Override
        public void field(int field, long seed) {
            fields.put(field, seed);
        }

        @Override
        public void appendHistory(long seed) {
            history.add(seed);
        }

        @Override
        public void resetHistory(long seed) {
            history.clear();
            history.add(seed);
        }

        @Override
        public void profile(long seed) {
            profile = seed;
        }

        @Override
        public void clearProfile() {
            profile = null;
        }

        boolean isEmpty() {
            return value == null && fields.isEmpty() && history.isEmpty() && profile == null;
        }
    }

    /** The state after the events {@code [0, length)} of every split, by key; keys with no state are absent. */
    Map<Long, KeyModel> model(long length) {
        Map<Long, KeyModel> keys = new HashMap<>();
        for (int s = 0; s < splits; s++) {
            for (long o = 0; o < length; o++) {
                long e = event(s, o);
                apply(e, keys.computeIfAbsent(keyOf(e), k -> new KeyModel()));
            }
        }
        keys.values().removeIf(KeyModel::isEmpty);
        return keys;
    }

    /**
     * Compares every subtask's keyed state with a model when its input ends: every key of its key groups that
     * the model has, with all four states equal, and no other key.
     */
    public static final class Verifier {
        final Map<Long, KeyModel> expected;
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final AtomicLong keysChecked = new AtomicLong();
        final AtomicInteger subtasksChecked = new AtomicInteger();

        Verifier(Map<Long, KeyModel> expected) {
            this.expected = expected;
        }

        public int expectedKeys() {
            return expected.size();
        }

        public long keysChecked() {
            return keysChecked.get();
        }

        public int subtasksChecked() {
            return subtasksChecked.get();
        }

        public List<String> problems() {
            return List.copyOf(problems);
        }

        void verify(OperatorContext context, KeyedStateBackend<Long> backend, ValueState<byte[]> value,
                MapState<Integer, byte[]> fields, ListState<byte[]> history, ValueState<byte[]> profile) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(context.maxParallelism(), context.parallelism(),
                    context.subtaskIndex());
            Set<Long> present = new HashSet<>();
            for (String state : List.of(VALUE.name(), FIELD_MAP.name(), HISTORY.name(), PROFILE.name())) {
                backend.keys(state).forEach(present::add);
            }
            for (long key : present) {
                if (!expected.containsKey(key)) {
                    problem("subtask " + context.subtaskIndex() + " has state for key " + key
                            + ", which the model deleted or never had");
                } else if (!range.contains(KeyGroups.keyGroupOf(key, context.maxParallelism()))) {
                    problem("subtask " + context.subtaskIndex() + " owning " + range + " has key " + key);
                }
            }
            long checked = 0;
            for (Map.Entry<Long, KeyModel> e : expected.entrySet()) {
                long key = e.getKey();
                if (!range.contains(KeyGroups.keyGroupOf(key, context.maxParallelism()))) {
                    continue;
                }
                checked++;
                KeyModel m = e.getValue();
                backend.setCurrentKey(key);
                String at = "key " + key + " (subtask " + context.subtaskIndex() + ")";
                check(at + " value", value.value(), m.value, VALUE_SIZE);
                check(at + " profile", profile.value(), m.profile, PROFILE_SIZE);
                Map<Integer, byte[]> actualFields = new TreeMap<>();
                for (Map.Entry<Integer, byte[]> f : fields.entries()) {
                    actualFields.put(f.getKey(), f.getValue());
                }
                if (!actualFields.keySet().equals(m.fields.keySet())) {
                    problem(at + " fields " + actualFields.keySet() + ", expected " + m.fields.keySet());
                } else {
                    m.fields.forEach((f, seed) -> check(at + " field " + f, actualFields.get(f), seed, FIELD_SIZE));
                }
                List<byte[]> actualHistory = new ArrayList<>();
                Iterable<byte[]> h = history.get();
                if (h != null) {
                    h.forEach(actualHistory::add);
                }
                if (actualHistory.size() != m.history.size()) {
                    problem(at + " history has " + actualHistory.size() + " elements, expected " + m.history.size());
                } else {
                    for (int i = 0; i < actualHistory.size(); i++) {
                        check(at + " history[" + i + "]", actualHistory.get(i), m.history.get(i), HISTORY_SIZE);
                    }
                }
            }
            keysChecked.addAndGet(checked);
            subtasksChecked.incrementAndGet();
        }

        private void check(String what, byte[] actual, Long seed, int size) {
            if (seed == null) {
                if (actual != null) {
                    problem(what + " is set, expected none");
                }
            } else if (actual == null) {
                problem(what + " is missing");
            } else if (!Arrays.equals(actual, payload(seed, size))) {
                problem(what + " has other bytes than expected");
            }
        }

        private void problem(String p) {
            if (problems.size() < 50) {
                problems.add(p);
            }
        }
    }

    /** The model after {@code [0, length)} of every split, to check a run that ends there. */
    public Verifier verifier(long length) {
        return new Verifier(model(length));
    }

    /** The keyed sink: applies each event to its key's four states; checks them at the end of input if asked. */
    static final class Churn implements StreamOperator<Long, Void>, Target {
        private final Verifier verifier;
        private final AtomicLong snapshots;
        private OperatorContext context;
        private KeyedStateBackend<Long> backend;
        private ValueState<byte[]> value;
        private MapState<Integer, byte[]> fields;
        private ListState<byte[]> history;
        private ValueState<byte[]> profile;

        Churn(Verifier verifier, AtomicLong snapshots) {
            this.verifier = verifier;
            this.snapshots = snapshots;
        }

        @Override
        public void snapshotState(long checkpointId) {
            snapshots.incrementAndGet();
        }

        @Override
        public void open(OperatorContext context) {
            this.context = context;
            backend = context.keyedState();
            value = backend.getState(VALUE);
            fields = backend.getState(FIELD_MAP);
            history = backend.getState(HISTORY);
            profile = backend.getState(PROFILE);
        }

        @Override
        public void processElement(Long event, Output<Void> out) {
            apply(event, this);
        }

        @Override
        public void finish(Output<Void> out) {
            if (verifier != null) {
                verifier.verify(context, backend, value, fields, history, profile);
            }
        }

        @Override
        public void delete() {
            value.clear();
            fields.clear();
            history.clear();
            profile.clear();
        }

        @Override
        public void removeField(int field) {
            fields.remove(field);
        }

        @Override
        public void value(long seed) {
            value.update(payload(seed, VALUE_SIZE));
        }

        @Override
        public void field(int field, long seed) {
            fields.put(field, payload(seed, FIELD_SIZE));
        }

        @Override
        public void appendHistory(long seed) {
            history.add(payload(seed, HISTORY_SIZE));
        }

        @Override
        public void resetHistory(long seed) {
            history.update(List.of(payload(seed, HISTORY_SIZE)));
        }

        @Override
        public void profile(long seed) {
            profile.update(payload(seed, PROFILE_SIZE));
        }

        @Override
        public void clearProfile() {
            profile.clear();
        }
    }

    /**
     * events (gated) -keyBy-> churn (keyed sink, four states per key); {@code verifier} may be null;
     * {@code snapshots} counts the synchronous snapshot phases of the sink's subtasks.
     */
    public JobGraph graph(Source source, int sourceParallelism, int parallelism, Verifier verifier,
            AtomicLong snapshots) {
        JobGraph.Builder b = JobGraph.builder("file-merging-churn").maxParallelism(MAX_PARALLELISM);
        b.source(SOURCE, sourceParallelism, source, Serializers.LONG)
                .keyBy(this::keyOf, Serializers.LONG)
                .sink(OPERATOR, parallelism, () -> new Churn(verifier, snapshots));
        return b.build();
    }
}
