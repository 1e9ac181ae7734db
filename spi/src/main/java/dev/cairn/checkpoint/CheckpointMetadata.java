package dev.cairn.checkpoint;

import java.util.List;
import java.util.Objects;

/** Everything a completed checkpoint consists of: its id, when it was taken, and each operator's state. */
public record CheckpointMetadata(long checkpointId, long timestamp, List<OperatorSnapshot> operators) {
    public CheckpointMetadata {
        if (checkpointId < 0) {
            throw new IllegalArgumentException("negative checkpoint id " + checkpointId);
        }
        operators = List.copyOf(Objects.requireNonNull(operators, "operators"));
    }

    /** Every handle in this checkpoint. */
    public List<StateHandle> allHandles() {
        List<StateHandle> all = new java.util.ArrayList<>();
        for (OperatorSnapshot op : operators) {
            for (SubtaskSnapshot st : op.subtasks()) {
                all.addAll(st.keyedState());
                all.addAll(st.operatorState());
            }
        }
        return all;
    }
}
