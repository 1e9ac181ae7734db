package dev.cairn.runtime.coordinator;

import dev.cairn.checkpoint.CheckpointScan;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.DamagedCheckpoint;
import dev.cairn.checkpoint.JobDirectoryHold;
import dev.cairn.checkpoint.JobEnd;
import dev.cairn.checkpoint.JobLease;
import dev.cairn.error.StorageException;
import dev.cairn.runtime.config.JobTermination;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * How a coordinator owns its job directory across runs, so that a crash at any moment never lets a
 * later run take an older checkpoint for progress:
 * <ul>
 * <li>new checkpoint ids start above every trace in the directory (completed, damaged or unfinished
 * checkpoints, the job-end record), so ids never go backwards across restarts;</li>
 * <li>a run that restores a checkpoint of its own directory with claim owns the directory: every other
 * checkpoint in it (older or newer, sound or damaged), files nobody references, and abandoned writes
 * are deleted, metadata first, before the run starts;</li>
 * <li>an ended run that deletes its checkpoints first writes the job-end record, so what survives a
 * crash in the middle of the deletion is recognised as the remains of an ended job;</li>
 * <li>while the run lives it holds the directory with a lease ({@link CheckpointStorage#holdJobDirectory}),
 * taken before anything is read or written and released after the job-end record and the deletions, so
 * operator tools can tell a live job; a killed run's lease goes stale, and the next run's claim deletes it.</li>
 * </ul>
 */
final class JobDirectoryOwner {
    private static final System.Logger LOG = System.getLogger(JobDirectoryOwner.class.getName());

    private final String jobId;
    private final CheckpointStorage storage;
    private final List<CompletedCheckpoint> restoredWithoutClaim = new CopyOnWriteArrayList<>();
    private volatile JobDirectoryHold hold = JobDirectoryHold.none();

    JobDirectoryOwner(String jobId, CheckpointStorage storage) {
        this.jobId = jobId;
        this.storage = storage;
    }

    /** Holds the job directory until {@link #release()}; a storage that cannot hold it is logged, not fatal. */
    void hold() {
        try {
            hold = storage.holdJobDirectory(JobLease.describe("cairn job " + jobId));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + jobId + ": the job directory cannot be held with a lease; operator"
                    + " tools will not see that the job is running", e);
        }
    }

    /** Releases the hold of {@link #hold()}; idempotent. */
    void release() {
        JobDirectoryHold h = hold;
        hold = JobDirectoryHold.none();
        try {
            h.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + jobId + ": releasing the lease on the job directory failed", e);
        }
    }

    /** Remembers a checkpoint restored without claim: this run never deletes anything it refers to. */
    void restoredWithoutClaim(CompletedCheckpoint checkpoint) {
        restoredWithoutClaim.add(checkpoint);
    }

    /** The highest checkpoint id any trace in the directory carries; 0 if it cannot be listed. */
    long highestCheckpointId() {
        try {
            return storage.highestCheckpointId();
        } catch (StorageException e) {
            LOG.log(Level.INFO, "job {0}: the checkpoint directory cannot be scanned ({1}); checkpoint ids start"
                    + " above the restored checkpoint only", jobId, e.getMessage());
            return 0;
        }
    }

    /** What a claim found: the highest id in the directory, and whether the claimed checkpoint was its own. */
    record Claim(long highestCheckpointId, boolean fencedOthers) {
    }

    /**
     * Takes over the directory for a run that claims {@code restored}: if it is one of the directory's
     * own checkpoints, deletes everything else there.
     */
    Claim claim(CompletedCheckpoint restored) {
        CheckpointScan scan;
        try {
            scan = storage.scan();
        } catch (StorageException e) {
            LOG.log(Level.INFO, "job {0}: the checkpoint directory cannot be scanned ({1}); the other checkpoints"
                    + " in it are left as they are", jobId, e.getMessage());
            return new Claim(restored.checkpointId(), false);
        }
        boolean own = scan.completed().stream().anyMatch(c -> c.pointer().equals(restored.pointer()));
        if (own) {
            for (DamagedCheckpoint d : scan.damaged()) {
                LOG.log(Level.WARNING, "job {0}: deleting damaged checkpoint {1} while claiming checkpoint {2}: {3}",
                        jobId, d.pointer(), restored.checkpointId(), d.reason().getMessage());
            }
            List<String> deleted = storage.removeUnreferenced(List.of(restored));
            if (!deleted.isEmpty()) {
                LOG.log(Level.INFO, "job {0}: claimed checkpoint {1}; deleted {2} files no longer referenced"
                        + " (other checkpoints, files of checkpoints that never completed)", jobId,
                        restored.checkpointId(), deleted.size());
            }
        }
        return new Claim(scan.highestCheckpointId(), own);
    }

    /**
     * Writes the job-end record, naming {@code kept} and the checkpoints restored without claim as kept on
     * purpose; called before an ended job deletes its checkpoints.
     */
    void markEnded(JobTermination termination, long lastCheckpointId, Collection<CompletedCheckpoint> kept) {
        List<String> pointers = new ArrayList<>();
        for (CompletedCheckpoint c : kept) {
            pointers.add(c.pointer());
        }
        for (CompletedCheckpoint c : restoredWithoutClaim) {
            if (!pointers.contains(c.pointer())) {
                pointers.add(c.pointer());
            }
        }
        storage.markJobEnded(new JobEnd(termination.name(), lastCheckpointId, System.currentTimeMillis(), pointers));
    }

    /**
     * After an ended job deleted its checkpoints: deletes whatever else is left, except what {@code kept}
     * and the checkpoints restored without claim refer to.
     */
    void removeLeftovers(Collection<CompletedCheckpoint> kept) {
        List<CompletedCheckpoint> keep = new ArrayList<>(kept);
        keep.addAll(restoredWithoutClaim);
        try {
            storage.removeUnreferenced(keep);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "job " + jobId + ": deleting the leftovers of the ended job failed", e);
        }
    }
}
