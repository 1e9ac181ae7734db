package dev.cairn.checkpoint;

import java.util.List;
import java.util.Objects;

/** The state one subtask acknowledged: keyed and operator state handles; {@code finished} if it had ended. */
public record SubtaskSnapshot(int subtaskIndex, List<KeyedStateHandle> keyedState,
        List<OperatorStateHandle> operatorState, boolean finished) {
    public SubtaskSnapshot {
        keyedState = List.copyOf(Objects.requireNonNull(keyedState, "keyedState"));
        operatorState = List.copyOf(Objects.requireNonNull(operatorState, "operatorState"));
    }
}
