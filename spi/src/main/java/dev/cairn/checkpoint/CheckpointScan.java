package dev.cairn.checkpoint;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job directory holds, as {@link CheckpointStorage#scan()} found it: the completed checkpoints
 * that resolved and verified, the ones that did not, the highest checkpoint id any trace in the
 * directory carries (also of checkpoints that never completed, and of the {@link JobEnd} record), and
 * the job-end record.
 *
 * @param completed           sound checkpoints, oldest first
 * @param damaged             checkpoints whose metadata exists but was refused, oldest first
 * @param highestCheckpointId new checkpoint ids of the job must be greater than this (0 for an empty directory)
 * @param jobEnd              the job-end record, if the directory has one
 */
public record CheckpointScan(List<CompletedCheckpoint> completed, List<DamagedCheckpoint> damaged,
        long highestCheckpointId, Optional<JobEnd> jobEnd) {
    public CheckpointScan {
        completed = completed.stream().sorted(Comparator.comparingLong(CompletedCheckpoint::checkpointId)).toList();
        damaged = damaged.stream().sorted(Comparator.comparingLong(DamagedCheckpoint::checkpointId)).toList();
        Objects.requireNonNull(jobEnd, "jobEnd");
        long highest = highestCheckpointId;
        for (CompletedCheckpoint c : completed) {
            highest = Math.max(highest, c.checkpointId());
        }
        for (DamagedCheckpoint d : damaged) {
            highest = Math.max(highest, d.checkpointId());
        }
        if (jobEnd.isPresent()) {
            highest = Math.max(highest, jobEnd.get().lastCheckpointId());
        }
        highestCheckpointId = highest;
    }

    /** An empty directory. */
    public static CheckpointScan empty() {
        return new CheckpointScan(List.of(), List.of(), 0, Optional.empty());
    }

    /** The newest sound checkpoint, if any. */
    public Optional<CompletedCheckpoint> latestCompleted() {
        return completed.isEmpty() ? Optional.empty() : Optional.of(completed.get(completed.size() - 1));
    }

    /** Damaged checkpoints newer than every sound one: resuming from the latest sound one would go back. */
    public List<DamagedCheckpoint> damagedNewerThanLatest() {
        long latest = latestCompleted().map(CompletedCheckpoint::checkpointId).orElse(-1L);
        return damaged.stream().filter(d -> d.checkpointId() > latest).toList();
    }

    /**
     * The job-end record, if it still applies: the job ended and no checkpoint was completed after it
     * (a later run of the same job, which continues its ids, makes it stale).
     */
    public Optional<JobEnd> ended() {
        return jobEnd.filter(end -> completed.stream().noneMatch(c -> c.checkpointId() > end.lastCheckpointId())
                && damaged.stream().noneMatch(d -> d.checkpointId() > end.lastCheckpointId()));
    }
}
