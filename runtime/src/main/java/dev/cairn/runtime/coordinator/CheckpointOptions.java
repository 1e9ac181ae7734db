package dev.cairn.runtime.coordinator;

import dev.cairn.backend.SnapshotType;
import java.util.Objects;

/**
 * What a barrier asks of the tasks: the snapshot type, the alignment, and for aligned
 * exactly-once checkpoints with unaligned enabled, the time after the trigger at which
 * alignment gives up and the checkpoint switches to unaligned (0 = never switch).
 */
public record CheckpointOptions(SnapshotType snapshotType, AlignmentType alignment, long alignedTimeoutMillis) {
    public CheckpointOptions {
        Objects.requireNonNull(snapshotType, "snapshotType");
        Objects.requireNonNull(alignment, "alignment");
        if (alignedTimeoutMillis < 0) {
            throw new IllegalArgumentException("negative aligned timeout " + alignedTimeoutMillis);
        }
        if (snapshotType == SnapshotType.SAVEPOINT && alignment == AlignmentType.UNALIGNED) {
            throw new IllegalArgumentException("savepoints are always aligned");
        }
        if (alignment != AlignmentType.ALIGNED && alignedTimeoutMillis > 0) {
            throw new IllegalArgumentException("an aligned timeout only applies to aligned checkpoints");
        }
    }

    /** Whether a task switches this checkpoint to unaligned once {@link #alignedTimeoutMillis()} passed since the trigger. */
    public boolean isTimeoutable() {
        return alignment == AlignmentType.ALIGNED && alignedTimeoutMillis > 0;
    }
}
