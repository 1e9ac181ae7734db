package dev.cairn.backend.memory;

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
 * Runs the suite on file checkpoint storage over {@code file://}, so snapshots larger than the
 * inline threshold are real files and errors must name their locations.
 */
class HeapStateBackendFileStorageTckTest extends StateBackendTck {
    private BlobStore store;

    @Override
    protected StateBackend createBackend() {
        return new HeapStateBackend();
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(Path directory) {
        store = BlobStores.forLocation(LocalBlobStore.toLocation(directory), Map.of());
        return new FileCheckpointStorage(store, LocalBlobStore.toLocation(directory.resolve("checkpoints")),
                "state-tck-job");
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }
}
