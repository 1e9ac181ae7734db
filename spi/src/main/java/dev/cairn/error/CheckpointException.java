package dev.cairn.error;

/** A checkpoint failed: declined by a task, expired, or could not be finalized. */
public class CheckpointException extends CairnException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
