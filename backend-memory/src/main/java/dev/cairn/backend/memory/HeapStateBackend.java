package dev.cairn.backend.memory;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.format.snapshot.SnapshotCompression;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The {@code memory} state backend: keyed and operator state in hash maps on the heap, with
 * copy-on-write snapshots written in the canonical formats of {@code dev.cairn.format.snapshot}
 * (optionally compressed), so its savepoints restore into any backend and vice versa.
 */
public final class HeapStateBackend implements StateBackend {
    /** The name under which the backend is registered. */
    public static final String NAME = "memory";

    private final SnapshotCompression compression;

    public HeapStateBackend() {
        this(SnapshotCompression.NONE);
    }

    public HeapStateBackend(SnapshotCompression compression) {
        this.compression = Objects.requireNonNull(compression, "compression");
    }

    public SnapshotCompression compression() {
        return compression;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
            Collection<KeyedStateHandle> restoreState) {
        return HeapKeyedStateBackend.restore(parameters, restoreState == null ? List.of() : restoreState,
                compression);
    }

    @Override
    public OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
            Collection<OperatorStateHandle> restoreState) {
        return HeapOperatorStateBackend.restore(parameters.operatorId(), parameters.handleReader(),
                restoreState == null ? List.of() : restoreState);
    }

    @Override
    public String toString() {
        return "HeapStateBackend[compression=" + compression + "]";
    }
}
