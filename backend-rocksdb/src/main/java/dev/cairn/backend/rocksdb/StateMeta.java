package dev.cairn.backend.rocksdb;

import dev.cairn.serialization.SerializerSnapshot;
import dev.cairn.state.StateType;
import java.util.Objects;

/** One keyed state as the RocksDB backend stores it: name, type, serializer, layout and column family. */
record StateMeta(String name, StateType type, SerializerSnapshot serializer, Layout layout, String columnFamily) {
    StateMeta {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(serializer, "serializer");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(columnFamily, "columnFamily");
    }

    /** Whether entries must be rewritten before a descriptor can use them natively. */
    boolean needsRewrite(SerializerSnapshot declared) {
        return layout != Layout.NATIVE || !serializer.equals(declared);
    }

    StateMeta with(Layout newLayout, String newColumnFamily, SerializerSnapshot newSerializer) {
        return new StateMeta(name, type, newSerializer, newLayout, newColumnFamily);
    }

    /** Value-like states store the same bytes in both layouts. */
    static Layout restoredLayout(StateType type) {
        return type == StateType.LIST || type == StateType.MAP ? Layout.CANONICAL : Layout.NATIVE;
    }
}
