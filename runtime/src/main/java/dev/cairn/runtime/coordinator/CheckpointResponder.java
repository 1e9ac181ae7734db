package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.SubtaskSnapshot;

/** How tasks answer a checkpoint: implemented by the coordinator, called from task threads. */
public interface CheckpointResponder {
    /**
     * The subtask finished its snapshot (both phases). {@code snapshot} may hold no handles
     * for a stateless or finished subtask.
     */
    void acknowledgeCheckpoint(long checkpointId, SubtaskId subtask, SubtaskSnapshot snapshot,
            TaskCheckpointMetrics metrics);

    /**
     * The subtask could not complete its asynchronous phase; the checkpoint fails and the
     * failure counts toward the tolerable failures. (A synchronous-phase failure fails the
     * task instead, and the runtime fails over.)
     */
    void declineCheckpoint(long checkpointId, SubtaskId subtask, Throwable cause);
}
