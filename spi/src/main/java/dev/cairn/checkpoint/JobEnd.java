package dev.cairn.checkpoint;

import java.util.Objects;

/**
 * The durable record that a job ended and which checkpoint id it had reached. It is written before a
 * finished (or cancelled) job deletes its checkpoints, so a later resume of the job directory knows the
 * job is over instead of taking whatever older checkpoint survived for progress. A checkpoint with a
 * greater id than {@link #lastCheckpointId()} means a later run of the job went on, and the record no
 * longer applies.
 *
 * @param termination      how the job ended, e.g. {@code FINISHED} or {@code CANCELED}
 * @param lastCheckpointId the highest checkpoint id the ended run had assigned (0 if none)
 * @param endedAtMillis    wall-clock time of the end
 */
public record JobEnd(String termination, long lastCheckpointId, long endedAtMillis) {
    public JobEnd {
        Objects.requireNonNull(termination, "termination");
        if (termination.isEmpty() || termination.length() > 64) {
            throw new IllegalArgumentException("termination must have 1 to 64 characters: '" + termination + "'");
        }
        if (lastCheckpointId < 0) {
            throw new IllegalArgumentException("negative checkpoint id " + lastCheckpointId);
        }
    }
}
