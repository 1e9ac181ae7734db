package dev.cairn.backend.rocksdb;

import dev.cairn.checkpoint.StreamStateHandle;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which uploaded SST files a new incremental checkpoint may refer to instead of uploading them
 * again: only those of the last checkpoint that is known to have completed (as Flink does since
 * FLINK-25395), because files of an unconfirmed checkpoint may be deleted when it is aborted.
 * Savepoints are never recorded; a full checkpoint records that nothing can be reused. With each
 * file goes its CRC32C where known, which the meta data of a checkpoint that reuses it records.
 */
final class UploadTracker {
    private final TreeMap<Long, Files> pending = new TreeMap<>();
    private Files confirmed = new Files(Map.of(), Map.of());
    private long lastCompleted = -1;

    /** Uploaded files by local file name, and the CRC32C of those whose checksum is known. */
    record Files(Map<String, StreamStateHandle> handles, Map<String, Integer> checksums) {
        Files {
            handles = Map.copyOf(handles);
            checksums = Map.copyOf(checksums);
        }
    }

    /** The files of the restored checkpoint {@code checkpointId}, which the job's registry keeps. */
    synchronized void seed(long checkpointId, Map<String, StreamStateHandle> files, Map<String, Integer> checksums) {
        confirmed = new Files(files, checksums);
        lastCompleted = checkpointId;
    }

    /** Files a checkpoint taken now may reuse, by local file name. */
    synchronized Map<String, StreamStateHandle> confirmed() {
        return confirmed.handles();
    }

    /** The known CRC32C of the files of {@link #confirmed()}, by local file name. */
    synchronized Map<String, Integer> confirmedChecksums() {
        return confirmed.checksums();
    }

    /** Checkpoint {@code checkpointId} consists of {@code sharedFiles}; reusable once it completes. */
    synchronized void uploaded(long checkpointId, Map<String, StreamStateHandle> sharedFiles,
            Map<String, Integer> checksums) {
        if (checkpointId > lastCompleted) {
            pending.put(checkpointId, new Files(sharedFiles, checksums));
        }
    }

    synchronized void completed(long checkpointId) {
        Files files = pending.get(checkpointId);
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
