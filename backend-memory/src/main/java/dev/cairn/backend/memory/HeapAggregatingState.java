package dev.cairn.backend.memory;

import dev.cairn.state.AggregateFunction;
import dev.cairn.state.AggregatingState;
import java.util.Map;
import java.util.Objects;

/** {@link AggregatingState} over a {@link StateTable} of accumulators; accumulators are only mutated when unpinned. */
final class HeapAggregatingState<K, IN, ACC, OUT> implements AggregatingState<IN, OUT> {
    private final HeapKeyedStateBackend<K> backend;
    private final StateTable<K, ACC> table;
    private final AggregateFunction<IN, ACC, OUT> function;

    HeapAggregatingState(HeapKeyedStateBackend<K> backend, StateTable<K, ACC> table,
            AggregateFunction<IN, ACC, OUT> function) {
        this.backend = backend;
        this.table = table;
        this.function = function;
    }

    @Override
    public OUT get() {
        K key = backend.currentKey();
        int index = backend.currentIndex();
        ACC acc = table.readable(index).get(key);
        if (acc == null) {
            return null;
        }
        return function.getResult(table.isPinned(index) ? table.serializer.copy(acc) : acc);
    }

    @Override
    public void add(IN value) {
        Objects.requireNonNull(value, "an aggregating state input must not be null");
        K key = backend.currentKey();
        Map<K, ACC> map = table.writable(backend.currentIndex());
        ACC acc = map.get(key);
        if (acc == null) {
            acc = function.createAccumulator();
        }
        map.put(key, Objects.requireNonNull(function.add(value, acc), "the aggregate function returned null"));
    }

    @Override
    public void clear() {
        K key = backend.currentKey();
        int index = backend.currentIndex();
        if (table.readable(index).containsKey(key)) {
            table.writable(index).remove(key);
        }
    }
}
