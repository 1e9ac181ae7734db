package dev.cairn.benchmarks.common;

import java.util.Map;

/**
 * One snapshot taken by a {@link SnapshotBackend}.
 *
 * @param handle         the system's handle, to restore from
 * @param syncNanos      duration of the synchronous phase
 * @param totalNanos     duration of both phases
 * @param persistedBytes bytes this snapshot wrote to checkpoint storage (the handle's checkpointed size)
 * @param sstFiles       for incremental snapshots, every SST file the snapshot consists of (local file name to
 *                       size), whether uploaded now or referenced; empty for full snapshots
 */
public record SnapshotResult(Object handle, long syncNanos, long totalNanos, long persistedBytes,
        Map<String, Long> sstFiles) {

    public double syncMillis() {
        return syncNanos / 1e6;
    }

    /**
     * Bytes of the SST files of this snapshot that {@code previous} did not have: the data flushed from memtables
     * or written by compactions since then. All of them when {@code previous} is {@code null}.
     */
    public long newSstBytes(SnapshotResult previous) {
        long bytes = 0;
        for (Map.Entry<String, Long> e : sstFiles.entrySet()) {
            if (previous == null || !previous.sstFiles.containsKey(e.getKey())) {
                bytes += e.getValue();
            }
        }
        return bytes;
    }
}
