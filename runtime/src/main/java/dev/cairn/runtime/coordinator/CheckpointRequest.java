package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.error.CheckpointException;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;

/** A queued request for a checkpoint or savepoint. */
final class CheckpointRequest {
    /** Savepoints first, then requests by hand before periodic ones, then oldest first. */
    static final Comparator<CheckpointRequest> PRIORITY = Comparator.<CheckpointRequest, Boolean>comparing(r -> !r.savepoint)
            .thenComparing(r -> r.periodic).thenComparingLong(r -> r.sequence);

    final boolean savepoint;
    final String target;
    final boolean periodic;
    final long sequence;
    final CompletableFuture<CompletedCheckpoint> future = new CompletableFuture<>();

    CheckpointRequest(boolean savepoint, String target, boolean periodic, long sequence) {
        this.savepoint = savepoint;
        this.target = target;
        this.periodic = periodic;
        this.sequence = sequence;
    }

    void fail(CheckpointFailureReason reason, String message, Throwable cause) {
        future.completeExceptionally(new CheckpointFailedException(reason, new CheckpointException(
                (savepoint ? "savepoint" : "checkpoint") + " request failed: " + message, cause)));
    }
}
