package dev.cairn.runtime.coordinator;

/**
 * Receives a {@link CheckpointStats} for every checkpoint and savepoint once it completed or
 * failed, before its completion future is completed. Called from coordinator threads; an
 * exception thrown here is logged and otherwise ignored.
 */
public interface CheckpointStatsListener {
    default void onCheckpointCompleted(CheckpointStats stats) {
    }

    default void onCheckpointFailed(CheckpointStats stats) {
    }
}
