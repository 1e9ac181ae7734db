package dev.cairn.backend.memory;

import dev.cairn.state.AggregateFunction;
import dev.cairn.state.AggregatingState;
import java.util.Map;
import java.util.Objects;

/** {@link AggregatingState} over a {@link StateTable} of accumulators; accumulators are only mutated when unpinned. */
final class HeapAggregatingState<K, IN, ACC, OUT> extends HeapState<K, ACC>
        implements AggregatingState<IN, OUT> {
    private final AggregateFunction<IN, ACC, OUT> function;

    HeapAggregatingState(HeapKeyedStateBackend<K> backend, StateTable<K, ACC> table,
            AggregateFunction<IN, ACC, OUT> function) {
        super(backend, table);
        this.function = function;
    }

    @Override
    public OUT get() {
        ACC acc = storedOrCopyIfPinned();
        return acc == null ? null : function.getResult(acc);
    }

    @Override
    public void add(IN value) {
        Objects.requireNonNull(value, "an aggregating state input must not be null");
        K key = backend.currentKey();
        Map<K, ACC> map = writable();
        ACC acc = map.get(key);
        if (acc == null) {
            acc = function.createAccumulator();
        }
        map.put(key, Objects.requireNonNull(function.add(value, acc), "the aggregate function returned null"));
    }
}
