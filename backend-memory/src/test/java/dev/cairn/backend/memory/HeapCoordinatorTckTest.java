package dev.cairn.backend.memory;

import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.CoordinatorTck;
import java.nio.file.Path;
import java.util.Map;

/**
 * Certifies the heap backend with {@code file://} checkpoint storage under the coordinator. The inline
 * threshold is lowered to 64 bytes so that nearly every snapshot is a real file, which the retention rules
 * then see kept or deleted.
 */
class HeapCoordinatorTckTest extends CoordinatorTck {
    @Override
    protected StateBackend createBackend() {
        return new HeapStateBackend();
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
        return CheckpointStorages.create(LocalBlobStore.toLocation(directory), jobId,
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "64"));
    }
}
