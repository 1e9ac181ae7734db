package dev.cairn.benchmarks.common;

/** A keyed backend holding the one value state of {@link SnapshotWorkload}, as a {@link SnapshotSystem} made it. */
public interface SnapshotBackend extends AutoCloseable {

    void put(long key, byte[] value);

    /** The value of {@code key}, or {@code null}. */
    byte[] get(long key);

    /**
     * Takes snapshot {@code checkpointId} and runs both of its phases on this thread, timing them: a full
     * snapshot (canonical format) when {@code full}, else the backend's incremental checkpoint.
     */
    SnapshotResult snapshot(long checkpointId, boolean full);

    /** Completes checkpoint {@code checkpointId} as the system's coordinator would (shared-state registration, then notification). */
    void notifyCheckpointComplete(long checkpointId);

    @Override
    void close();
}
