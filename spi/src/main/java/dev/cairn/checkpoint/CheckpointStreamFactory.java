package dev.cairn.checkpoint;

/** Creates the output streams a snapshot writes to, for one checkpoint. Thread-safe. */
public interface CheckpointStreamFactory {
    CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope);
}
