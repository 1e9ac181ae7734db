package dev.cairn.runtime.coordinator;

import dev.cairn.error.CheckpointException;
import java.util.Objects;

/**
 * How the future of a checkpoint or savepoint request fails: the {@link CheckpointFailureReason}
 * (which says whether the failure was counted) and the underlying cause.
 */
public class CheckpointFailedException extends CheckpointException {
    private final CheckpointFailureReason reason;

    public CheckpointFailedException(CheckpointFailureReason reason, Throwable cause) {
        super(reason + ": " + Objects.requireNonNull(cause, "cause").getMessage(), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public CheckpointFailureReason reason() {
        return reason;
    }
}
