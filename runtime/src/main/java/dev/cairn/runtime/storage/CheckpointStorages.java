package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.error.ConfigurationException;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

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
        return create(storage, jobId, config, UnaryOperator.identity());
    }

    /**
     * As {@link #create(String, String, Map)}, with the blob store passed through {@code decorator} first
     * (e.g. a fault-injecting or auditing wrapper); the decorated store is closed with the storage.
     */
    public static CheckpointStorage create(String storage, String jobId, Map<String, String> config,
            UnaryOperator<BlobStore> decorator) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(decorator, "decorator");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(config, "config");
        if (storage.trim().equalsIgnoreCase(MEMORY)) {
            return new MemoryCheckpointStorage(jobId);
        }
        FileCheckpointStorageOptions options = FileCheckpointStorageOptions.fromConfig(config);
        BlobStore store = BlobStores.forLocation(storage, config);
        try {
            store = Objects.requireNonNull(decorator.apply(store), "decorated store");
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            return new FileCheckpointStorage(store, storage, jobId, options, true);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
