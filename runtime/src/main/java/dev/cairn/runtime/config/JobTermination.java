package dev.cairn.runtime.config;

/** How a job ended; decides, with {@link ExternalizedCheckpointRetention}, which checkpoints are kept. */
public enum JobTermination {
    FINISHED, CANCELED, FAILED;

    /** Whether retained checkpoints are deleted when a job ends this way under {@code policy}. */
    public boolean deletesCheckpoints(ExternalizedCheckpointRetention policy) {
        return switch (policy) {
            case NO_EXTERNALIZED_CHECKPOINTS -> true;
            case DELETE_ON_CANCELLATION -> this != FAILED;
            case RETAIN_ON_CANCELLATION -> this == FINISHED;
        };
    }
}
