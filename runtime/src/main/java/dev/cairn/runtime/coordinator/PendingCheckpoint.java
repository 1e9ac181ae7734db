package dev.cairn.runtime.coordinator;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.SubtaskSnapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** A triggered checkpoint or savepoint waiting for its acknowledgements; fields guarded by the coordinator's lock. */
final class PendingCheckpoint {
    final long id;
    final SnapshotType type;
    final boolean savepoint;
    final CheckpointRequest request;
    final CheckpointPlan plan;
    final long triggerTimestamp = System.currentTimeMillis();
    final long triggerNanos = System.nanoTime();
    final Map<SubtaskId, SubtaskSnapshot> acks = new HashMap<>();
    final Map<SubtaskId, TaskCheckpointMetrics> metrics = new HashMap<>();
    CheckpointStorageLocation location;
    ScheduledFuture<?> timeout;
    boolean finalizing;
    boolean disposed;

    PendingCheckpoint(long id, SnapshotType type, CheckpointRequest request, CheckpointPlan plan) {
        this.id = id;
        this.type = type;
        this.savepoint = type == SnapshotType.SAVEPOINT;
        this.request = request;
        this.plan = plan;
    }

    void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    CheckpointStats stats(CheckpointStats.Status status, CheckpointFailureReason reason, String message,
            String pointer) {
        Map<SubtaskId, TaskCheckpointMetrics> copy = Map.copyOf(metrics);
        long maxAlignment = 0;
        long stateSize = 0;
        long persisted = 0;
        for (TaskCheckpointMetrics m : copy.values()) {
            maxAlignment = Math.max(maxAlignment, m.alignmentDurationMillis());
            stateSize += m.stateSize();
            persisted += m.persistedSize();
        }
        long duration = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - triggerNanos);
        return new CheckpointStats(id, savepoint, triggerTimestamp, duration, copy, maxAlignment, stateSize,
                persisted, status, reason, message, pointer);
    }
}
