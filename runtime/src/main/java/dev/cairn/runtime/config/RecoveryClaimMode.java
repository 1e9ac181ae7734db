package dev.cairn.runtime.config;

/** Who owns the files of a checkpoint or savepoint that a new run restores from. */
public enum RecoveryClaimMode {
    /** The new run never deletes them, and its first checkpoint is a full one. The default. */
    NO_CLAIM,
    /** The new run owns them and discards them once subsumed. */
    CLAIM
}
