package dev.cairn.storage.s3;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.rocksdb.RocksDbStateBackend;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.tck.CoordinatorTck;
import java.nio.file.Path;
import java.util.Map;

/**
 * Certifies the RocksDB backend (incremental checkpoints) under the coordinator with checkpoints on
 * S3Proxy; the inline threshold is lowered so SST files and manifests are real S3 objects.
 */
class S3ProxyRocksDbCoordinatorTckTest extends CoordinatorTck {
    @Override
    protected StateBackend createBackend() {
        return new RocksDbStateBackend();
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
        String base = S3ProxyServer.newBase("coordinator");
        return CheckpointStorages.create(base.substring(0, base.length() - 1), jobId,
                S3ProxyServer.config(Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "64")));
    }
}
