package dev.cairn.backend.memory;

import dev.cairn.state.ReduceFunction;
import dev.cairn.state.ReducingState;
import java.util.Map;
import java.util.Objects;

/** {@link ReducingState} over a {@link StateTable}; the reduce function only ever sees an unpinned value. */
final class HeapReducingState<K, T> extends HeapState<K, T> implements ReducingState<T> {
    private final ReduceFunction<T> function;

    HeapReducingState(HeapKeyedStateBackend<K> backend, StateTable<K, T> table, ReduceFunction<T> function) {
        super(backend, table);
        this.function = function;
    }

    @Override
    public T get() {
        return storedOrCopyIfPinned();
    }

    @Override
    public void add(T value) {
        Objects.requireNonNull(value, "a reducing state value must not be null");
        K key = backend.currentKey();
        Map<K, T> map = writable();
        T current = map.get(key);
        T reduced = current == null ? value : function.reduce(current, value);
        map.put(key, Objects.requireNonNull(reduced, "the reduce function returned null"));
    }
}
