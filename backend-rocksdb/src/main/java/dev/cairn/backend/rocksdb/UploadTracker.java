package dev.cairn.backend.rocksdb;

import dev.cairn.checkpoint.StreamStateHandle;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which uploaded SST files a new incremental checkpoint may refer to instead of uploading them
 * again: only those of the last checkpoint that is known to have completed (as Flink does since
 * FLINK-25395), because files of an unconfirmed checkpoint may be deleted when it is aborted.
 * Savepoints are never recorded; a full checkpoint records that nothing can be reused.
 */
final class UploadTracker {
    private final TreeMap<Long, Map<String, StreamStateHandle>> pending = new TreeMap<>();
    private Map<String, StreamStateHandle> confirmed = Map.of();
    private long lastCompleted = -1;

    /** The files of the restored checkpoint {@code checkpointId}, which the job's registry keeps. */
    synchronized void seed(long checkpointId, Map<String, StreamStateHandle> files) {
        confirmed = Map.copyOf(files);
        lastCompleted = checkpointId;
    }

    /** Files a checkpoint taken now may reuse, by local file name. */
    synchronized Map<String, StreamStateHandle> confirmed() {
        return confirmed;
    }

    /** Checkpoint {@code checkpointId} consists of {@code sharedFiles}; reusable once it completes. */
    synchronized void uploaded(long checkpointId, Map<String, StreamStateHandle> sharedFiles) {
        if (checkpointId > lastCompleted) {
            pending.put(checkpointId, Map.copyOf(sharedFiles));
        }
    }

    synchronized void completed(long checkpointId) {
        Map<String, StreamStateHandle> files = pending.get(checkpointId);
        if (files != null && checkpointId > lastCompleted) {
            confirmed = files;
            lastCompleted = checkpointId;
            pending.headMap(checkpointId, true).clear();
        }
    }

    synchronized void aborted(long checkpointId) {
        pending.remove(checkpointId);
    }

    synchronized long lastCompleted() {
        return lastCompleted;
    }
}
