package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.memory.HeapStateBackend;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.AggregateFunction;
import dev.cairn.state.AggregatingStateDescriptor;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ReducingStateDescriptor;
import dev.cairn.state.ValueStateDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Savepoints are written in the canonical keyed format by both backends, so state moves from the
 * heap to RocksDB and back with every value intact, including states RocksDB restored but never
 * requested (carried in the canonical layout) and through an incremental checkpoint in between.
 */
class SavepointInteroperabilityTest extends RocksDbTestSupport {
    static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("value", Serializers.STRING);
    static final ListStateDescriptor<Long> LIST = new ListStateDescriptor<>("list", Serializers.LONG);
    static final MapStateDescriptor<String, Long> MAP = new MapStateDescriptor<>("map", Serializers.STRING,
            Serializers.LONG);
    static final ReducingStateDescriptor<Long> REDUCING = new ReducingStateDescriptor<>("reducing", Long::sum,
            Serializers.LONG);
    static final AggregatingStateDescriptor<Long, Long, String> AGGREGATING = new AggregatingStateDescriptor<>(
            "aggregating", new Describe(), Serializers.LONG);
    static final int KEYS = 3000;

    /** Sums its inputs and shows the sum as text. */
    static final class Describe implements AggregateFunction<Long, Long, String> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Long value, Long accumulator) {
            return accumulator + value;
        }

        @Override
        public String getResult(Long accumulator) {
            return "sum=" + accumulator;
        }
    }

    record Contents(String value, List<Long> list, Map<String, Long> map, Long reducing, String aggregating) {
    }

    static void populate(KeyedStateBackend<Long> b) {
        var value = b.getState(VALUE);
        var list = b.getState(LIST);
        var map = b.getState(MAP);
        var reducing = b.getState(REDUCING);
        var aggregating = b.getState(AGGREGATING);
        for (long k = 0; k < KEYS; k++) {
            b.setCurrentKey(k);
            if (k % 5 != 0) {
                value.update("v" + k);
            }
            for (long i = 0; i < k % 4; i++) {
                list.add(k * 10 + i);
            }
            if (k % 3 != 0) {
                map.put("a" + k, k);
                map.put("null", null);
            }
            reducing.add(k);
            reducing.add(1L);
            if (k % 2 == 0) {
                aggregating.add(k);
            }
        }
    }

    static Map<Long, Contents> dump(KeyedStateBackend<Long> b, List<Long> keys) {
        var value = b.getState(VALUE);
        var list = b.getState(LIST);
        var map = b.getState(MAP);
        var reducing = b.getState(REDUCING);
        var aggregating = b.getState(AGGREGATING);
        Map<Long, Contents> out = new TreeMap<>();
        for (long k : keys) {
            b.setCurrentKey(k);
            List<Long> elements = new ArrayList<>();
            list.get().forEach(elements::add);
            Map<String, Long> entries = new HashMap<>();
            map.entries().forEach(e -> entries.put(e.getKey(), e.getValue()));
            out.put(k, new Contents(value.value(), elements, entries, reducing.get(), aggregating.get()));
        }
        return out;
    }

    private KeyedStateBackend<Long> keyed(StateBackend backend, KeyGroupRange range, List<KeyedStateHandle> restore) {
        if (backend instanceof RocksDbStateBackend) {
            return backend(backend, range, restore);
        }
        KeyedStateBackend<Long> b = backend.createKeyedBackend(new KeyedBackendParameters<>("op", Serializers.LONG,
                MAX_PARALLELISM, range, newLocalDirectory(), storage), restore);
        return b;
    }

    private static List<Long> allKeys() {
        List<Long> keys = new ArrayList<>();
        for (long k = 0; k < KEYS; k++) {
            keys.add(k);
        }
        return keys;
    }

    @Test
    void heapToRocksDbToHeapKeepsEveryValue() {
        try (KeyedStateBackend<Long> heap = keyed(new HeapStateBackend(), ALL, List.of())) {
            populate(heap);
            Map<Long, Contents> expected = dump(heap, allKeys());
            KeyedStateHandle heapSavepoint = snapshot(heap, 1, SnapshotType.SAVEPOINT);

            RocksDbKeyedStateBackend<Long> rocks = backend(rocksdb(Map.of()), ALL, List.of(heapSavepoint));
            rocks.setCurrentKey(7L);
            assertThat(rocks.getState(MAP).get("a7")).as("a state requested after the restore").isEqualTo(7L);
            assertThat(rocks.getState(LIST).get()).containsExactly(70L, 71L, 72L);
            KeyedStateHandle incremental = snapshot(rocks, 2, SnapshotType.CHECKPOINT);
            assertThat(incremental).isInstanceOf(IncrementalKeyedStateHandle.class);

            RocksDbKeyedStateBackend<Long> rocks2 = backend(rocksdb(Map.of()), ALL, List.of(incremental));
            KeyedStateHandle rocksSavepoint = snapshot(rocks2, 3, SnapshotType.SAVEPOINT);
            assertThat(rocksSavepoint).isInstanceOf(KeyGroupsStateHandle.class);
            assertThat(dump(rocks2, allKeys())).as("rocksdb after savepoint and checkpoint").isEqualTo(expected);

            try (KeyedStateBackend<Long> back = keyed(new HeapStateBackend(), ALL, List.of(rocksSavepoint))) {
                assertThat(dump(back, allKeys())).as("heap -> rocksdb -> heap").isEqualTo(expected);
            }
        }
    }

    @Test
    void rocksDbSavepointsRestoreIntoTheHeapAtAnotherParallelism() {
        RocksDbKeyedStateBackend<Long> rocks = backend(rocksdb(Map.of("compression", "lz4")), ALL, List.of());
        populate(rocks);
        Map<Long, Contents> expected = dump(rocks, allKeys());
        KeyedStateHandle savepoint = snapshot(rocks, 1, SnapshotType.SAVEPOINT);
        Map<Long, Contents> restored = new TreeMap<>();
        for (int subtask = 0; subtask < 3; subtask++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(MAX_PARALLELISM, 3, subtask);
            List<Long> owned = allKeys().stream().filter(k -> range.contains(KeyGroups.keyGroupOf(k,
                    MAX_PARALLELISM))).toList();
            try (KeyedStateBackend<Long> heap = keyed(new HeapStateBackend(), range, List.of(savepoint))) {
                restored.putAll(dump(heap, owned));
                assertThat(heap.keys(REDUCING.name()).count()).isEqualTo(owned.size());
            }
        }
        assertThat(restored).isEqualTo(expected);
    }
}
