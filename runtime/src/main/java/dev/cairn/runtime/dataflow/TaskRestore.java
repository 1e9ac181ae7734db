package dev.cairn.runtime.dataflow;

import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import java.util.List;
import java.util.Objects;

/** The state one subtask starts from: its key groups and the handles it restores (empty on a fresh start). */
record TaskRestore(KeyGroupRange keyGroupRange, List<KeyedStateHandle> keyedState,
        List<OperatorStateHandle> operatorState) {
    TaskRestore {
        Objects.requireNonNull(keyGroupRange, "keyGroupRange");
        keyedState = List.copyOf(keyedState);
        operatorState = List.copyOf(operatorState);
    }
}
