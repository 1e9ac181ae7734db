package dev.cairn.checkpoint;

import java.util.List;
import java.util.Objects;

/** The state of one operator in a checkpoint: its id, parallelism, max parallelism and subtasks. */
public record OperatorSnapshot(String operatorId, int parallelism, int maxParallelism,
        List<SubtaskSnapshot> subtasks) {
    public OperatorSnapshot {
        Objects.requireNonNull(operatorId, "operatorId");
        subtasks = List.copyOf(Objects.requireNonNull(subtasks, "subtasks"));
    }
}
