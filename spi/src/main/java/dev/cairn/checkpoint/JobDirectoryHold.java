package dev.cairn.checkpoint;

/**
 * A running job's hold on its job directory ({@link CheckpointStorage#holdJobDirectory}): while it is open,
 * the storage keeps a live {@link JobLease} in the directory; {@link #close()} releases it. Idempotent.
 */
public interface JobDirectoryHold extends AutoCloseable {

    /** A hold that keeps and releases nothing, for storages without a shared directory. */
    static JobDirectoryHold none() {
        return () -> {
        };
    }

    /** Releases the hold: the lease is deleted, renewals stop. */
    @Override
    void close();
}
