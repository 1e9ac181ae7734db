package dev.cairn.format.snapshot;

import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.state.StateType;
import java.util.Objects;

/**
 * One keyed state as a snapshot header records it: its name, its type and the snapshot of the
 * serializer of its whole per-key value ({@code descriptor.stateSerializer().snapshot()}).
 */
public record KeyedStateMetaInfo(String name, StateType type, SerializerSnapshot serializer) {
    public KeyedStateMetaInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serializer, "serializer");
    }
}
