package dev.cairn.backend.memory;

import dev.cairn.backend.StateBackend;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.LocalBlobStore;
import dev.cairn.tck.CoordinatorTck;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/**
 * Certifies the heap backend under the coordinator with file merging on {@code file://}: within
 * checkpoints with a non-blocking pool, and across checkpoint boundaries with a blocking pool.
 */
class HeapMergingCoordinatorTckTest {
    @Nested
    class WithinCheckpoints extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return CheckpointStorages.create(LocalBlobStore.toLocation(directory), jobId, Map.of(
                    FileCheckpointStorageOptions.INLINE_THRESHOLD, "64",
                    FileMergingOptions.ENABLED, "true"));
        }
    }

    @Nested
    class AcrossCheckpointsBlocking extends CoordinatorTck {
        @Override
        protected StateBackend createBackend() {
            return new HeapStateBackend();
        }

        @Override
        protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
            return CheckpointStorages.create(LocalBlobStore.toLocation(directory), jobId, Map.of(
                    FileCheckpointStorageOptions.INLINE_THRESHOLD, "64",
                    FileMergingOptions.ENABLED, "true",
                    FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY, "true",
                    FileMergingOptions.POOL_BLOCKING, "true"));
        }
    }
}
