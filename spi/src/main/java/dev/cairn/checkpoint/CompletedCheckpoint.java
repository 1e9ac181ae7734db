package dev.cairn.checkpoint;

import java.util.Objects;

/** A checkpoint whose metadata was committed: its pointer and its metadata. */
public record CompletedCheckpoint(String pointer, CheckpointMetadata metadata) {
    public CompletedCheckpoint {
        Objects.requireNonNull(pointer, "pointer");
        Objects.requireNonNull(metadata, "metadata");
    }

    public long checkpointId() {
        return metadata.checkpointId();
    }
}
