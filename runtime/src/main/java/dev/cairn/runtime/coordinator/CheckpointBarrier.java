package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointStreamFactory;
import java.util.Objects;

/**
 * The marker that flows with the records and cuts the stream into before and after a checkpoint.
 * In the embedded runtime it carries the stream factory of the checkpoint's storage location.
 */
public record CheckpointBarrier(long checkpointId, long triggerTimestamp, CheckpointOptions options,
        CheckpointStreamFactory streams) {
    public CheckpointBarrier {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(streams, "streams");
    }

    /** The same barrier, switched to unaligned after its alignment timed out. */
    public CheckpointBarrier asUnaligned() {
        return new CheckpointBarrier(checkpointId, triggerTimestamp,
                new CheckpointOptions(options.snapshotType(), AlignmentType.UNALIGNED, 0), streams);
    }
}
