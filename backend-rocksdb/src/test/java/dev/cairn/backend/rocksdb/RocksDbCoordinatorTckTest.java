package dev.cairn.backend.rocksdb;

import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.CoordinatorTck;
import java.nio.file.Path;
import java.util.Map;

/**
 * Certifies the RocksDB backend (incremental checkpoints) with {@code file://} checkpoint storage
 * under the coordinator; the inline threshold is lowered so that SST files, manifests and meta data
 * are real files that the retention rules see kept or deleted.
 */
class RocksDbCoordinatorTckTest extends CoordinatorTck {
    @Override
    protected StateBackend createBackend() {
        return new RocksDbStateBackend();
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
        return CheckpointStorages.create(LocalBlobStore.toLocation(directory), jobId,
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "64"));
    }
}
