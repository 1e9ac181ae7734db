package dev.cairn.backend.memory;

import dev.cairn.state.ValueState;

/** {@link ValueState} over a {@link StateTable}; reads during a snapshot return a copy, so the pinned value stays intact. */
final class HeapValueState<K, V> implements ValueState<V> {
    private final HeapKeyedStateBackend<K> backend;
    private final StateTable<K, V> table;

    HeapValueState(HeapKeyedStateBackend<K> backend, StateTable<K, V> table) {
        this.backend = backend;
        this.table = table;
    }

    @Override
    public V value() {
        K key = backend.currentKey();
        int index = backend.currentIndex();
        V v = table.readable(index).get(key);
        return v == null || !table.isPinned(index) ? v : table.serializer.copy(v);
    }

    @Override
    public void update(V value) {
        if (value == null) {
            clear();
            return;
        }
        K key = backend.currentKey();
        table.writable(backend.currentIndex()).put(key, value);
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
