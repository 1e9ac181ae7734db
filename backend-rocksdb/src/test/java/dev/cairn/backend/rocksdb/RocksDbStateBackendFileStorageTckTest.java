package dev.cairn.backend.rocksdb;

import dev.cairn.backend.StateBackend;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.StateBackendTck;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * Runs the suite on file checkpoint storage over {@code file://}, so SST files, manifests and
 * full snapshots are real files and restores download them.
 */
class RocksDbStateBackendFileStorageTckTest extends StateBackendTck {
    private BlobStore store;

    @Override
    protected StateBackend createBackend() {
        return new RocksDbStateBackend();
    }

    @Override
    protected StateBackend createBackend(Map<String, String> options) {
        return new RocksDbStateBackendFactory().create(options);
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(Path directory) {
        store = BlobStores.forLocation(LocalBlobStore.toLocation(directory), Map.of());
        return new FileCheckpointStorage(store, LocalBlobStore.toLocation(directory.resolve("checkpoints")),
                "rocksdb-tck-job");
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }
}
