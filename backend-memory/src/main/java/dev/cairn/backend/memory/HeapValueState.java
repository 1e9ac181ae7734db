package dev.cairn.backend.memory;

import dev.cairn.state.ValueState;

/** {@link ValueState} over a {@link StateTable}; reads during a snapshot return a copy, so the pinned value stays intact. */
final class HeapValueState<K, V> extends HeapState<K, V> implements ValueState<V> {
    HeapValueState(HeapKeyedStateBackend<K> backend, StateTable<K, V> table) {
        super(backend, table);
    }

    @Override
    public V value() {
        return storedOrCopyIfPinned();
    }

    @Override
    public void update(V value) {
        if (value == null) {
            clear();
            return;
        }
        writable().put(backend.currentKey(), value);
    }
}
