package dev.cairn.runtime.config;

/** Whether retained checkpoints outlive the job, by how the job ended. */
public enum ExternalizedCheckpointRetention {
    /** Deleted when the job finishes, is cancelled or fails. The default. */
    NO_EXTERNALIZED_CHECKPOINTS,
    /** Deleted when the job finishes or is cancelled; kept when it fails. */
    DELETE_ON_CANCELLATION,
    /** Deleted when the job finishes; kept when it is cancelled or fails. */
    RETAIN_ON_CANCELLATION
}
