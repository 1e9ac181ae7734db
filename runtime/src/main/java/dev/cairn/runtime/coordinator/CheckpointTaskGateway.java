package dev.cairn.runtime.coordinator;

/** What the coordinator needs from the running job; implemented by the embedded runtime. */
public interface CheckpointTaskGateway {
    /** The subtasks taking part in a checkpoint triggered now. */
    CheckpointPlan planCheckpoint();

    /** Injects {@code barrier} at {@code tasks} (normally the running sources). */
    void triggerCheckpoint(CheckpointBarrier barrier, java.util.Set<SubtaskId> tasks);

    /** The checkpoint completed: two-phase-commit sinks commit, backends release what it subsumed. */
    void notifyCheckpointComplete(long checkpointId);

    /** The checkpoint was aborted: tasks drop what they prepared for it. */
    void notifyCheckpointAborted(long checkpointId);

    /** The coordinator demands a fail-over (too many failed checkpoints); the runtime restarts from the latest checkpoint. */
    void failJob(Throwable cause);
}
