package dev.cairn.backend.memory;

import java.util.Map;

/** What every keyed heap state shares: the backend's current key, the state's table, and clear(). */
abstract class HeapState<K, V> {
    final HeapKeyedStateBackend<K> backend;
    final StateTable<K, V> table;

    HeapState(HeapKeyedStateBackend<K> backend, StateTable<K, V> table) {
        this.backend = backend;
        this.table = table;
    }

    /** The current key's stored value or null; callers must not mutate it. */
    final V stored() {
        return table.readable(backend.currentIndex()).get(backend.currentKey());
    }

    /** The current key's value, copied while a snapshot pins it, so handing it out cannot alter the snapshot. */
    final V storedOrCopyIfPinned() {
        int index = backend.currentIndex();
        V v = table.readable(index).get(backend.currentKey());
        return v == null || !table.isPinned(index) ? v : table.serializer.copy(v);
    }

    /** The map of the current key's key group, copied first if a snapshot pins it. */
    final Map<K, V> writable() {
        return table.writable(backend.currentIndex());
    }

    public void clear() {
        K key = backend.currentKey();
        int index = backend.currentIndex();
        if (table.readable(index).containsKey(key)) {
            table.writable(index).remove(key);
        }
    }
}
