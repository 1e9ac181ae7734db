package dev.cairn.backend.rocksdb;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.memory.HeapStateBackend;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The {@code rocksdb} state backend: keyed state in an embedded RocksDB per subtask (one column
 * family per state, keys prefixed by their key group), snapshotted incrementally by default, and
 * in the canonical full format for savepoints and full checkpoints, so savepoints move between
 * this backend and the memory backend. Operator state is small and kept on the heap exactly as
 * the memory backend keeps it (the same implementation).
 */
public final class RocksDbStateBackend implements StateBackend {
    /** The name under which the backend is registered. */
    public static final String NAME = "rocksdb";

    private final RocksDbOptions options;
    private final HeapStateBackend operatorStates;

    public RocksDbStateBackend() {
        this(RocksDbOptions.defaults());
    }

    public RocksDbStateBackend(RocksDbOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.operatorStates = new HeapStateBackend(options.compression());
        NativeLibrary.load();
    }

    public RocksDbOptions options() {
        return options;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
            Collection<KeyedStateHandle> restoreState) {
        return RocksDbKeyedStateBackend.create(parameters, options, restoreState == null ? List.of() : restoreState);
    }

    @Override
    public OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
            Collection<OperatorStateHandle> restoreState) {
        return operatorStates.createOperatorBackend(parameters, restoreState);
    }

    @Override
    public String toString() {
        return "RocksDbStateBackend" + options;
    }
}
