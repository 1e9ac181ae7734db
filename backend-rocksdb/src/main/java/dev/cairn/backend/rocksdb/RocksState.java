package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.TypeSerializer;
import org.rocksdb.ColumnFamilyHandle;

/** What every keyed RocksDB state shares: the backend's current key, the state's column family, and clear(). */
abstract class RocksState<K, V> {
    final RocksDbKeyedStateBackend<K> backend;
    final ColumnFamilyHandle family;
    final TypeSerializer<V> serializer;

    RocksState(RocksDbKeyedStateBackend<K> backend, ColumnFamilyHandle family, TypeSerializer<V> serializer) {
        this.backend = backend;
        this.family = family;
        this.serializer = serializer;
    }

    /** The current key's stored value, or null. */
    final V stored() {
        byte[] bytes = backend.get(family, backend.currentValueKey());
        return bytes == null ? null : Keys.deserialize(serializer, bytes);
    }

    final void store(V value) {
        backend.put(family, backend.currentValueKey(), backend.buffer().serialize(serializer, value));
    }

    public void clear() {
        backend.delete(family, backend.currentValueKey());
    }
}
