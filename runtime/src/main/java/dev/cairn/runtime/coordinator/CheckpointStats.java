package dev.cairn.runtime.coordinator;

import java.util.Map;
import java.util.Objects;

/**
 * What the coordinator reports about one finished (completed or failed) checkpoint or savepoint.
 *
 * @param checkpointId       the id
 * @param savepoint          whether it was a savepoint
 * @param triggerTimestamp   when it was triggered, in epoch milliseconds
 * @param durationMillis     from the trigger to completion or failure
 * @param taskMetrics        what each acknowledging subtask measured (finished subtasks are absent)
 * @param maxAlignmentMillis the longest barrier alignment among the subtasks
 * @param stateSize          the state the checkpoint covers, summed over the subtasks
 * @param persistedBytes     the bytes newly persisted for it, summed over the subtasks
 * @param status             completed or failed
 * @param failureReason      why it failed; {@code null} when completed
 * @param failureMessage     the failure in words; {@code null} when completed
 * @param pointer            where the completed checkpoint lives; {@code null} when failed
 */
public record CheckpointStats(long checkpointId, boolean savepoint, long triggerTimestamp, long durationMillis,
        Map<SubtaskId, TaskCheckpointMetrics> taskMetrics, long maxAlignmentMillis, long stateSize,
        long persistedBytes, Status status, CheckpointFailureReason failureReason, String failureMessage,
        String pointer) {

    public CheckpointStats {
        taskMetrics = Map.copyOf(taskMetrics);
        Objects.requireNonNull(status, "status");
    }

    /** Whether the checkpoint completed. */
    public boolean isCompleted() {
        return status == Status.COMPLETED;
    }

    /** How a checkpoint ended. */
    public enum Status {
        COMPLETED, FAILED
    }
}
