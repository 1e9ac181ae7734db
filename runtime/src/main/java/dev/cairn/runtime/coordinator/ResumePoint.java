package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.error.CorruptCheckpointException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a job resumes after its process ended (a crash, {@code kill -9}, a restart): the newest sound
 * checkpoint of its directory; or the news that the job already ended, when its job-end record is the
 * newest trace; or nothing, when no checkpoint completed. Damaged checkpoints older than the newest
 * sound one are skipped and reported. A damaged <em>newest</em> checkpoint is refused, because
 * resuming from an older one would replay what the damaged one already committed, unless the caller
 * explicitly falls back to the newest sound checkpoint. Resume from a {@link Checkpoint} with
 * {@code RecoveryClaimMode.CLAIM}: the claim fences every other checkpoint of the directory.
 */
public sealed interface ResumePoint {
    /** Damaged checkpoints that were skipped, oldest first; each names its file and the reason. */
    List<DamagedCheckpoint> skipped();

    /** Resume from {@code checkpoint}. */
    record Checkpoint(CompletedCheckpoint checkpoint, List<DamagedCheckpoint> skipped) implements ResumePoint {
        public Checkpoint {
            Objects.requireNonNull(checkpoint, "checkpoint");
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The job ended ({@code end}); there is nothing to resume. {@code deleted}: what {@link #takeOver} deleted
     * of the ended run's remains.
     */
    record JobEnded(JobEnd end, List<DamagedCheckpoint> skipped, List<String> deleted) implements ResumePoint {
        public JobEnded {
            Objects.requireNonNull(end, "end");
            skipped = List.copyOf(skipped);
            deleted = List.copyOf(deleted);
        }
    }

    /** No checkpoint completed: the job starts from the beginning. */
    record Nothing(List<DamagedCheckpoint> skipped) implements ResumePoint {
        public Nothing {
            skipped = List.copyOf(skipped);
        }
    }

    /** Scans {@code storage} and decides, changing nothing; see {@link #of(CheckpointScan, boolean)}. */
    static ResumePoint find(CheckpointStorage storage, boolean fallbackToOlderCheckpoint) {
        return of(storage.scan(), fallbackToOlderCheckpoint);
    }

    /**
     * {@link #find Finds} where the job resumes and, when it already ended, finishes its end: deletes what a
     * crash or a power cut during the ended run's final deletions left in the job directory (checkpoints no
     * longer needed, abandoned writes), keeping the job-end record and the checkpoints it names as kept on
     * purpose (restored without claim). A {@link Checkpoint} is left as it is:
     * restoring it with claim fences the rest. Only call while no run of the job is active.
     */
    static ResumePoint takeOver(CheckpointStorage storage, boolean fallbackToOlderCheckpoint) {
        CheckpointScan scan = storage.scan();
        ResumePoint point = of(scan, fallbackToOlderCheckpoint);
        if (!(point instanceof JobEnded ended)) {
            return point;
        }
        List<CompletedCheckpoint> kept = scan.completed().stream()
                .filter(c -> ended.end().keptCheckpoints().contains(c.pointer())).toList();
        return new JobEnded(ended.end(), ended.skipped(), storage.removeUnreferenced(kept));
    }

    /**
     * Decides from a scan of the job directory.
     *
     * @param fallbackToOlderCheckpoint whether a damaged newest checkpoint may be passed over for the
     *                                  newest sound one (output committed after that one is then replayed)
     * @throws CorruptCheckpointException naming the damaged newest checkpoint's file, unless falling back
     */
    static ResumePoint of(CheckpointScan scan, boolean fallbackToOlderCheckpoint) {
        Optional<JobEnd> ended = scan.ended();
        if (ended.isPresent()) {
            return new JobEnded(ended.get(), scan.damaged(), List.of());
        }
        List<DamagedCheckpoint> newer = scan.damagedNewerThanLatest();
        if (!newer.isEmpty() && !fallbackToOlderCheckpoint) {
            DamagedCheckpoint newest = newer.get(newer.size() - 1);
            String instead = scan.latestCompleted().map(c -> "checkpoint " + c.checkpointId() + " is the newest"
                    + " sound one, but resuming from it would replay what checkpoint " + newest.checkpointId()
                    + " already committed").orElse("no older checkpoint is sound");
            throw new CorruptCheckpointException(newest.reason().file(), "checkpoint " + newest.checkpointId()
                    + " is the newest of its job and is damaged (" + newest.reason().getMessage() + "); " + instead
                    + ". Repair or delete " + newest.pointer() + ", or allow falling back to an older checkpoint",
                    newest.reason());
        }
        return scan.latestCompleted().<ResumePoint>map(c -> new Checkpoint(c, scan.damaged()))
                .orElseGet(() -> new Nothing(scan.damaged()));
    }
}
