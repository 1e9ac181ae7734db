package dev.cairn.runtime.coordinator;

import java.util.Objects;

/** One parallel instance of an operator: the unit that takes and acknowledges snapshots. */
public record SubtaskId(String operatorId, int subtaskIndex) {
    public SubtaskId {
        Objects.requireNonNull(operatorId, "operatorId");
        if (subtaskIndex < 0) {
            throw new IllegalArgumentException("negative subtask index " + subtaskIndex);
        }
    }

    @Override
    public String toString() {
        return operatorId + "#" + subtaskIndex;
    }
}
