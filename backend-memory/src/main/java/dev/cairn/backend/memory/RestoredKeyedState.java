package dev.cairn.backend.memory;

import dev.cairn.format.snapshot.KeyedStateMetaInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * A keyed state read from a snapshot but not yet requested through {@code getState}: its keys
 * (already checked against their key groups) and its values still as checksummed bytes, because
 * only the descriptor given later says how to read them. Bytes are immutable, so a snapshot
 * carries them into the next checkpoint without pinning or copying.
 */
final class RestoredKeyedState<K> {
    final KeyedStateMetaInfo meta;
    final String source;
    private final List<K>[] keys;
    private final List<byte[]>[] values;

    @SuppressWarnings("unchecked")
    RestoredKeyedState(KeyedStateMetaInfo meta, String source, int keyGroups) {
        this.meta = meta;
        this.source = source;
        this.keys = new List[keyGroups];
        this.values = new List[keyGroups];
    }

    void add(int index, K key, byte[] value) {
        if (keys[index] == null) {
            keys[index] = new ArrayList<>();
            values[index] = new ArrayList<>();
        }
        keys[index].add(key);
        values[index].add(value);
    }

    List<K> keys(int index) {
        return keys[index] == null ? List.of() : keys[index];
    }

    List<byte[]> values(int index) {
        return values[index] == null ? List.of() : values[index];
    }

    int keyGroups() {
        return keys.length;
    }
}
