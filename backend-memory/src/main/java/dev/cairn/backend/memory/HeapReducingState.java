package dev.cairn.backend.memory;

import dev.cairn.state.ReduceFunction;
import dev.cairn.state.ReducingState;
import java.util.Map;
import java.util.Objects;

/** {@link ReducingState} over a {@link StateTable}; the reduce function only ever sees an unpinned value. */
final class HeapReducingState<K, T> implements ReducingState<T> {
    private final HeapKeyedStateBackend<K> backend;
    private final StateTable<K, T> table;
    private final ReduceFunction<T> function;

    HeapReducingState(HeapKeyedStateBackend<K> backend, StateTable<K, T> table, ReduceFunction<T> function) {
        this.backend = backend;
        this.table = table;
        this.function = function;
    }

    @Override
    public T get() {
        K key = backend.currentKey();
        int index = backend.currentIndex();
        T v = table.readable(index).get(key);
        return v == null || !table.isPinned(index) ? v : table.serializer.copy(v);
    }

    @Override
    public void add(T value) {
        Objects.requireNonNull(value, "a reducing state value must not be null");
        K key = backend.currentKey();
        Map<K, T> map = table.writable(backend.currentIndex());
        T current = map.get(key);
        T reduced = current == null ? value : function.reduce(current, value);
        map.put(key, Objects.requireNonNull(reduced, "the reduce function returned null"));
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
