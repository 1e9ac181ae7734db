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
