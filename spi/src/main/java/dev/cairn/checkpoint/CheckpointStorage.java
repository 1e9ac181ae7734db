package dev.cairn.checkpoint;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoint storage for one job: lays out checkpoint directories, creates the streams
 * snapshots write to, commits metadata, reads it back with validation, and discards.
 * The implementations are in {@code cairn-runtime}: file-based over any
 * {@link dev.cairn.blob.BlobStore}, and an in-memory one that inlines everything.
 */
public interface CheckpointStorage extends StateHandleReader, AutoCloseable {

    /** Prepares the location of checkpoint {@code checkpointId}. */
    CheckpointStorageLocation initializeLocation(long checkpointId);

    /**
     * Prepares the location of a savepoint taken with id {@code checkpointId}: a new directory
     * under {@code targetDirectory} (or the storage's default place when {@code null}) that holds
     * every file of the savepoint, whatever scope a stream asks for, so that the savepoint is
     * self-contained and {@link #resolve(String)} finds it by the pointer its finalization returns.
     * Savepoints are not listed by {@link #completedCheckpoints()}.
     *
     * <p>The default refuses: a storage that cannot hold savepoints keeps it.
     *
     * @throws dev.cairn.error.CheckpointException if this storage cannot write a savepoint there
     */
    default CheckpointStorageLocation initializeSavepointLocation(long checkpointId, String targetDirectory) {
        throw new dev.cairn.error.CheckpointException(getClass().getName() + " cannot hold savepoints (savepoint "
                + checkpointId + (targetDirectory == null ? "" : " to " + targetDirectory) + " refused)");
    }

    /**
     * Deletes what {@code state}, acknowledged for checkpoint {@code checkpointId} but never made part
     * of it (a late, unknown or aborted acknowledgement), wrote exclusively for that checkpoint.
     * Files other checkpoints may reference (shared, task-owned) are left alone.
     *
     * <p>The default deletes nothing, which suits storages that keep all state inline.
     */
    default void discardState(long checkpointId, java.util.Collection<? extends StateHandle> state) {
    }

    /**
     * Reads and validates the metadata at {@code pointer} (a checkpoint directory or its
     * {@code _metadata}). Refuses corrupt, truncated, future-version or path-escaping
     * metadata with a {@link dev.cairn.error.CorruptCheckpointException} naming the file.
     */
    CompletedCheckpoint resolve(String pointer);

    /** The completed checkpoints this storage holds for the job, oldest first. */
    List<CompletedCheckpoint> completedCheckpoints();

    /**
     * Deletes the checkpoint's metadata and exactly its exclusive files; shared and
     * task-owned files are left to their owners.
     */
    void discard(CompletedCheckpoint checkpoint);

    /**
     * What the job directory holds: sound and damaged checkpoints, the highest checkpoint id of any
     * trace (so ids never go backwards across runs), and the {@link JobEnd} record. Unlike
     * {@link #completedCheckpoints()}, a damaged checkpoint does not fail the call; it is reported.
     *
     * <p>The default builds the scan from {@link #completedCheckpoints()}, which suits storages that
     * cannot hold damaged data (in memory).
     */
    default CheckpointScan scan() {
        return new CheckpointScan(completedCheckpoints(), List.of(), 0, Optional.empty());
    }

    /**
     * The highest checkpoint id any trace in the job directory carries ({@link CheckpointScan#highestCheckpointId()})
     * without resolving the checkpoints: what a new run needs to keep ids going forward. The default scans.
     */
    default long highestCheckpointId() {
        return scan().highestCheckpointId();
    }

    /**
     * Records durably that the job ended ({@link JobEnd}); a later record replaces an earlier one. Called
     * before an ended job deletes its checkpoints. The default records nothing (storages that do not
     * outlive the process).
     */
    default void markJobEnded(JobEnd end) {
    }

    /**
     * Deletes everything in the job directory that none of {@code keep} refers to: the {@code _metadata}
     * of every other checkpoint first (so no checkpoint is ever discoverable with files missing), then
     * their exclusive files, shared files nobody in {@code keep} refers to, and the traces of writes a
     * killed process never finished. The job-end record is kept, and the highest checkpoint id that
     * {@link #scan()} reports never goes down (a storage records it before it deletes the traces that
     * carried it). Only call while no writer of the job is active. The default deletes nothing.
     *
     * @return the locations deleted
     */
    default List<String> removeUnreferenced(Collection<CompletedCheckpoint> keep) {
        return List.of();
    }

    /**
     * Deletes everything the job directory holds, the job-end record included, for a fresh start of the
     * job. The default discards every completed checkpoint.
     */
    default void discardJob() {
        for (CompletedCheckpoint checkpoint : completedCheckpoints()) {
            discard(checkpoint);
        }
    }

    /**
     * Holds the job directory for a running job: the storage writes a {@link JobLease} described by
     * {@code description} (who holds it: host, pid) into the directory and renews it until the hold is closed,
     * so that operator tools can see that the job is live. A failed renewal never fails the job. The clean-ups
     * of this storage ({@link #removeUnreferenced}, {@link #discardJob}) keep the leases of its open holds and
     * delete those of other holders. The default holds nothing (storages without a shared directory).
     */
    default JobDirectoryHold holdJobDirectory(String description) {
        return JobDirectoryHold.none();
    }

    /**
     * The leases in the job directory, newest per holder, live or stale; a lease that cannot be read is
     * reported (renewed at {@link java.time.Instant#EPOCH}, its description naming the file and the reason),
     * not thrown. The default has none.
     */
    default List<JobLease> leases() {
        return List.of();
    }

    @Override
    void close();
}
