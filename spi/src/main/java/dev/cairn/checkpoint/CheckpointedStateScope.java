package dev.cairn.checkpoint;

/** Who owns the files a snapshot writes, which decides when they are deleted. */
public enum CheckpointedStateScope {
    /** Owned by one checkpoint (in {@code chk-<id>/}); deleted with it. */
    EXCLUSIVE,
    /** May be referenced by later checkpoints (in {@code shared/}); deleted by reference counting. */
    SHARED,
    /** Owned by the tasks (in {@code taskowned/}); never deleted by the coordinator. */
    TASK_OWNED
}
