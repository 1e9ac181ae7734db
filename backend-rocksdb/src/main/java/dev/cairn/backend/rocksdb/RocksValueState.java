package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.ValueState;
import org.rocksdb.ColumnFamilyHandle;

/** {@link ValueState} on RocksDB: one entry per key. */
final class RocksValueState<K, V> extends RocksState<K, V> implements ValueState<V> {
    RocksValueState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family, TypeSerializer<V> serializer) {
        super(backend, family, serializer);
    }

    @Override
    public V value() {
        return stored();
    }

    @Override
    public void update(V value) {
        if (value == null) {
            clear();
        } else {
            store(value);
        }
    }
}
