package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.AggregateFunction;
import dev.cairn.state.AggregatingState;
import java.util.Objects;
import org.rocksdb.ColumnFamilyHandle;

/** {@link AggregatingState} on RocksDB: the accumulator is read, folded and written back per add. */
final class RocksAggregatingState<K, IN, ACC, OUT> extends RocksState<K, ACC> implements AggregatingState<IN, OUT> {
    private final AggregateFunction<IN, ACC, OUT> function;

    RocksAggregatingState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family,
            TypeSerializer<ACC> serializer, AggregateFunction<IN, ACC, OUT> function) {
        super(backend, family, serializer);
        this.function = function;
    }

    @Override
    public OUT get() {
        ACC acc = stored();
        return acc == null ? null : function.getResult(acc);
    }

    @Override
    public void add(IN value) {
        Objects.requireNonNull(value, "an aggregating state input must not be null");
        ACC acc = stored();
        if (acc == null) {
            acc = function.createAccumulator();
        }
        store(Objects.requireNonNull(function.add(value, acc), "the aggregate function returned null"));
    }
}
