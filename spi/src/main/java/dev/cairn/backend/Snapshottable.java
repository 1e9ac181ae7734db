package dev.cairn.backend;

import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.StateHandle;
import java.util.concurrent.RunnableFuture;

/**
 * Something whose state can be snapshotted in two phases: this call is the synchronous
 * phase, which must stay short and must not serialize the state; the returned future is the
 * asynchronous phase, which the caller runs on another thread and which writes the bytes.
 * Writes made after this call returns are not in the snapshot. Several snapshots may be in
 * flight at once.
 *
 * @param <H> the handle the asynchronous phase produces; {@code null} when there is no state
 */
public interface Snapshottable<H extends StateHandle> {
    RunnableFuture<H> snapshot(long checkpointId, SnapshotType type, CheckpointStreamFactory streams);

    /** The checkpoint {@code checkpointId} completed; a backend may release or reuse its files. */
    default void notifyCheckpointComplete(long checkpointId) {
    }

    /** The checkpoint {@code checkpointId} was aborted. */
    default void notifyCheckpointAborted(long checkpointId) {
    }
}
