package dev.cairn.format.snapshot;

import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.serialization.SerializerSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The header of a keyed snapshot stream: the key serializer, the key groups the stream covers,
 * the codec of its blocks and the states whose entries the blocks hold (a block refers to a
 * state by its index in {@link #states()}).
 */
public record KeyedSnapshotHeader(SerializerSnapshot keySerializer, int maxParallelism, KeyGroupRange keyGroupRange,
        SnapshotCompression compression, List<KeyedStateMetaInfo> states) {
    public KeyedSnapshotHeader {
        Objects.requireNonNull(keySerializer, "keySerializer");
        Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        Objects.requireNonNull(compression, "compression");
        states = List.copyOf(states);
        Set<String> names = new HashSet<>();
        for (KeyedStateMetaInfo s : states) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("state '" + s.name() + "' appears twice");
            }
        }
    }
}
