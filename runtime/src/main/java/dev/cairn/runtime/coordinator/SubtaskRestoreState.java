package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import java.util.List;
import java.util.Objects;

/**
 * The state one new subtask restores: the key groups it owns, the keyed handles that hold any of
 * them (the backend reads only its own key groups from each), and its share of operator state.
 */
public record SubtaskRestoreState(KeyGroupRange keyGroupRange, List<KeyedStateHandle> keyedState,
        List<OperatorStateHandle> operatorState) {
    public SubtaskRestoreState {
        Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        keyedState = List.copyOf(keyedState);
        operatorState = List.copyOf(operatorState);
    }

    /** Whether there is nothing to restore. */
    public boolean isEmpty() {
        return keyedState.isEmpty() && operatorState.isEmpty();
    }
}
