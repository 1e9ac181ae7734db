package dev.cairn.checkpoint;

/**
 * The storage of one checkpoint in progress: a stream factory for its state, and the
 * finalization that writes its metadata last and atomically.
 */
public interface CheckpointStorageLocation extends CheckpointStreamFactory {
    long checkpointId();

    /**
     * Writes the checkpoint's metadata, atomically and as the last file of the checkpoint, and
     * returns the pointer by which {@link CheckpointStorage#resolve(String)} finds it.
     * Fails if metadata for this checkpoint already exists.
     */
    CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata);

    /** Deletes whatever this checkpoint wrote so far; used when it is aborted before finalization. */
    void discardOnFailure();
}
