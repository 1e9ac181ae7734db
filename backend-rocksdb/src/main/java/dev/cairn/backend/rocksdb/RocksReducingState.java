package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ReduceFunction;
import dev.cairn.state.ReducingState;
import java.util.Objects;
import org.rocksdb.ColumnFamilyHandle;

/** {@link ReducingState} on RocksDB: read, reduce and write back the one value per key. */
final class RocksReducingState<K, T> extends RocksState<K, T> implements ReducingState<T> {
    private final ReduceFunction<T> function;

    RocksReducingState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family, TypeSerializer<T> serializer,
            ReduceFunction<T> function) {
        super(backend, family, serializer);
        this.function = function;
    }

    @Override
    public T get() {
        return stored();
    }

    @Override
    public void add(T value) {
        Objects.requireNonNull(value, "a reducing state value must not be null");
        T current = stored();
        store(Objects.requireNonNull(current == null ? value : function.reduce(current, value),
                "the reduce function returned null"));
    }
}
