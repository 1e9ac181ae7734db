package dev.cairn.backend;

/** What kind of snapshot is asked for. */
public enum SnapshotType {
    /** A checkpoint; the backend may write it incrementally. */
    CHECKPOINT,
    /** A checkpoint that must not refer to files of earlier checkpoints (first one after a NO_CLAIM restore). */
    FULL_CHECKPOINT,
    /** A self-contained snapshot in the canonical format that any backend can restore. */
    SAVEPOINT
}
