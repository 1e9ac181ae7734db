package dev.cairn.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * The durable record that a job ended and which checkpoint id it had reached. It is written before a
 * finished (or cancelled) job deletes its checkpoints, so a later resume of the job directory knows the
 * job is over instead of taking whatever older checkpoint survived for progress. A checkpoint with a
 * greater id than {@link #lastCheckpointId()} means a later run of the job went on, and the record no
 * longer applies.
 *
 * @param termination        how the job ended, e.g. {@code FINISHED} or {@code CANCELED}
 * @param lastCheckpointId   the highest checkpoint id the ended run had assigned (0 if none)
 * @param endedAtMillis      wall-clock time of the end
 * @param keptCheckpoints    pointers of the checkpoints the ended run kept on purpose (restored without
 *                           claim): whoever finishes the end's clean-up must not delete them
 */
public record JobEnd(String termination, long lastCheckpointId, long endedAtMillis, List<String> keptCheckpoints) {
    /** A job end that kept no checkpoint. */
    public JobEnd(String termination, long lastCheckpointId, long endedAtMillis) {
        this(termination, lastCheckpointId, endedAtMillis, List.of());
    }

    public JobEnd {
        keptCheckpoints = List.copyOf(keptCheckpoints);
        Objects.requireNonNull(termination, "termination");
        if (termination.isEmpty() || termination.length() > 64) {
            throw new IllegalArgumentException("termination must have 1 to 64 characters: '" + termination + "'");
        }
        if (lastCheckpointId < 0) {
            throw new IllegalArgumentException("negative checkpoint id " + lastCheckpointId);
        }
    }
}
