package dev.cairn.backend.memory;

import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.serialization.TypeSerializer;
import dev.cairn.state.StateType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The entries of one keyed state: one hash map per key group, each replaced by a copy before its
 * first write while a snapshot has it pinned, so a pinned map is never mutated (copy-on-write).
 *
 * @param <K> the key type
 * @param <V> the per-key value (value, list, map or accumulator)
 */
final class StateTable<K, V> {
    final String name;
    final StateType type;
    final TypeSerializer<V> serializer;
    final SerializerSnapshot serializerSnapshot;
    private final int firstKeyGroup;
    private final UnaryOperator<V> copyOnWrite;
    private final KeyGroupMap<K, V>[] maps;

    @SuppressWarnings("unchecked")
    StateTable(String name, StateType type, TypeSerializer<V> serializer, int firstKeyGroup, int keyGroups,
            UnaryOperator<V> copyOnWrite) {
        this.name = name;
        this.type = type;
        this.serializer = serializer;
        this.serializerSnapshot = serializer.snapshot();
        this.firstKeyGroup = firstKeyGroup;
        this.copyOnWrite = copyOnWrite;
        this.maps = new KeyGroupMap[keyGroups];
        for (int i = 0; i < keyGroups; i++) {
            maps[i] = new KeyGroupMap<>(new HashMap<>());
        }
    }

    /** The map of key group {@code index} (relative to the range), for reading only. */
    Map<K, V> readable(int index) {
        return maps[index].map;
    }

    boolean isPinned(int index) {
        return maps[index].pins.get() > 0;
    }

    /** The map of key group {@code index} for writing: a private copy if a snapshot pins the current one. */
    Map<K, V> writable(int index) {
        KeyGroupMap<K, V> m = maps[index];
        if (m.pins.get() > 0) {
            HashMap<K, V> copy = new HashMap<>(Math.max(16, (int) (m.map.size() / 0.75f) + 1));
            for (Map.Entry<K, V> e : m.map.entrySet()) {
                copy.put(e.getKey(), copyOnWrite.apply(e.getValue()));
            }
            m = new KeyGroupMap<>(copy);
            maps[index] = m;
        }
        return m.map;
    }

    /** Pins every key group's current map for a snapshot; O(key groups), copies nothing. */
    Pinned<K, V> pin() {
        List<KeyGroupMap<K, V>> pinned = new ArrayList<>(maps.length);
        for (KeyGroupMap<K, V> m : maps) {
            m.pins.incrementAndGet();
            pinned.add(m);
        }
        return new Pinned<>(this, pinned);
    }

    int firstKeyGroup() {
        return firstKeyGroup;
    }

    int keyGroups() {
        return maps.length;
    }

    /** One key group's map and the number of snapshots that pin it. */
    static final class KeyGroupMap<K, V> {
        final HashMap<K, V> map;
        final AtomicInteger pins = new AtomicInteger();

        KeyGroupMap(HashMap<K, V> map) {
            this.map = map;
        }
    }

    /** The maps a snapshot pinned; {@link #release()} unpins them once, however often called. */
    static final class Pinned<K, V> {
        final StateTable<K, V> table;
        private final List<KeyGroupMap<K, V>> maps;
        private boolean released;

        Pinned(StateTable<K, V> table, List<KeyGroupMap<K, V>> maps) {
            this.table = table;
            this.maps = maps;
        }

        Map<K, V> map(int index) {
            return maps.get(index).map;
        }

        synchronized void release() {
            if (!released) {
                released = true;
                for (KeyGroupMap<K, V> m : maps) {
                    m.pins.decrementAndGet();
                }
            }
        }
    }
}
