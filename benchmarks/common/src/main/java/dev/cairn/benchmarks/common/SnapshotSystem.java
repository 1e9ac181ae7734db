package dev.cairn.benchmarks.common;

import java.util.List;

/**
 * One system of the snapshot and restore suites (a Cairn or Flink state backend with its checkpoint storage in a
 * private temporary directory), seen through what the suites need: create keyed backends, possibly restored from
 * snapshot handles this system produced. Closing it deletes the directory.
 */
public interface SnapshotSystem extends AutoCloseable {

    /**
     * A new keyed backend for key groups {@code [firstKeyGroup, lastKeyGroup]} of
     * {@link SnapshotWorkload#MAX_PARALLELISM}, restored from {@code restoreFrom} (handles of
     * {@link SnapshotResult#handle()}, possibly of other key-group ranges) as the system's own restore does it.
     */
    SnapshotBackend create(int firstKeyGroup, int lastKeyGroup, List<Object> restoreFrom);

    /** The key group of {@code key}, by the system's own arithmetic. */
    int keyGroupOf(long key);

    @Override
    void close();
}
