package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.error.ConfigurationException;
import java.util.Map;
import java.util.Objects;

/** Creates a {@link CheckpointStorage} from a storage name: {@code memory} or a base location URI. */
public final class CheckpointStorages {
    /** The storage name of {@link MemoryCheckpointStorage}. */
    public static final String MEMORY = "memory";

    private CheckpointStorages() {
    }

    /**
     * {@code memory} gives a {@link MemoryCheckpointStorage}; a URI such as {@code file:///data/checkpoints}
     * or {@code s3://bucket/checkpoints} gives a {@link FileCheckpointStorage} under that base, over the blob
     * store of the URI's scheme (found with {@link BlobStores#forLocation}, configured with {@code config},
     * and closed with the storage). Options are read with {@link FileCheckpointStorageOptions#fromConfig}.
     *
     * @throws ConfigurationException if the storage is neither, no provider serves its scheme, or an option is invalid
     */
    public static CheckpointStorage create(String storage, String jobId, Map<String, String> config) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(config, "config");
        if (storage.trim().equalsIgnoreCase(MEMORY)) {
            return new MemoryCheckpointStorage(jobId);
        }
        FileCheckpointStorageOptions options = FileCheckpointStorageOptions.fromConfig(config);
        BlobStore store = BlobStores.forLocation(storage, config);
        try {
            return new FileCheckpointStorage(store, storage, jobId, options, true);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
