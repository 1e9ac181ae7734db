package dev.cairn.backend;

import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import java.util.Collection;

/**
 * Creates the state stores of subtasks: a keyed backend for a key-group range and an
 * operator backend. Restoring takes the handles of any number of earlier subtasks; a keyed
 * backend keeps only the key groups in its range, so restores can change parallelism.
 * Creation either returns a fully restored backend or throws; nothing is half-restored.
 */
public interface StateBackend {
    String name();

    <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters,
            Collection<KeyedStateHandle> restoreState);

    OperatorStateBackend createOperatorBackend(OperatorBackendParameters parameters,
            Collection<OperatorStateHandle> restoreState);
}
