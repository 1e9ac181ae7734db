package dev.cairn.checkpoint;

import java.util.List;

/**
 * Checkpoint storage for one job: lays out checkpoint directories, creates the streams
 * snapshots write to, commits metadata, reads it back with validation, and discards.
 * The implementations are in {@code cairn-runtime}: file-based over any
 * {@link dev.cairn.blob.BlobStore}, and an in-memory one that inlines everything.
 */
public interface CheckpointStorage extends StateHandleReader, AutoCloseable {

    /** Prepares the location of checkpoint {@code checkpointId}. */
    CheckpointStorageLocation initializeLocation(long checkpointId);

    /**
     * Prepares the location of a savepoint taken with id {@code checkpointId}: a new directory
     * under {@code targetDirectory} (or the storage's default place when {@code null}) that holds
     * every file of the savepoint, whatever scope a stream asks for, so that the savepoint is
     * self-contained and {@link #resolve(String)} finds it by the pointer its finalization returns.
     * Savepoints are not listed by {@link #completedCheckpoints()}.
     *
     * <p>The default refuses: a storage that cannot hold savepoints keeps it.
     *
     * @throws dev.cairn.error.CheckpointException if this storage cannot write a savepoint there
     */
    default CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        throw new dev.cairn.error.CheckpointException(getClass().getName() + " cannot hold savepoints (savepoint "
                + checkpointId + (targetDirectory == null ? "" : " to " + targetDirectory) + " refused)");
    }

    /**
     * Deletes what {@code state}, acknowledged for checkpoint {@code checkpointId} but never made part
     * of it (a late, unknown or aborted acknowledgement), wrote exclusively for that checkpoint.
     * Files other checkpoints may reference (shared, task-owned) are left alone.
     *
     * <p>The default deletes nothing, which suits storages that keep all state inline.
     */
    default void discardState(long checkpointId, java.util.Collection<? extends StateHandle> state) {
    }

    /**
     * Reads and validates the metadata at {@code pointer} (a checkpoint directory or its
     * {@code _metadata}). Refuses corrupt, truncated, future-version or path-escaping
     * metadata with a {@link dev.cairn.error.CorruptCheckpointException} naming the file.
     */
    CompletedCheckpoint resolve(String pointer);

    /** The completed checkpoints this storage holds for the job, oldest first. */
    List<CompletedCheckpoint> completedCheckpoints();

    /**
     * Deletes the checkpoint's metadata and exactly its exclusive files; shared and
     * task-owned files are left to their owners.
     */
    void discard(CompletedCheckpoint checkpoint);

    @Override
    void close();
}
