package dev.cairn.runtime.storage;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.Locations;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointStreamFactory;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.BlobAlreadyExistsException;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.StorageException;
import dev.cairn.filemerging.CheckpointSession;
import dev.cairn.format.MetadataFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One checkpoint or savepoint in progress on a {@link FileCheckpointStorage}. With file merging, its
 * exclusive and shared streams become segments of merged files ({@link CheckpointSession}), which
 * are committed before the {@code _metadata} is written and taken back if the checkpoint fails;
 * task-owned state and savepoints are never merged.
 */
final class FileCheckpointLocation implements CheckpointStorageLocation {
    private final FileCheckpointStorage storage;
    private final BlobStore store;
    private final FileCheckpointStorageOptions options;
    private final long checkpointId;
    private final String directory;
    private final String root;
    private final boolean selfContained;
    private final CheckpointSession merging;
    private final Set<String> written = new LinkedHashSet<>();
    private boolean finalized;
    private boolean disposed;

    /**
     * @param root          what metadata paths are relative to
     * @param selfContained whether every scope writes into {@code directory} (savepoints)
     * @param merging       the checkpoint's merged files, or null to write one blob per stream
     */
    FileCheckpointLocation(FileCheckpointStorage storage, long checkpointId, String directory, String root,
            boolean selfContained, CheckpointSession merging) {
        this.storage = storage;
        this.store = storage.blobStore();
        this.options = storage.options();
        this.checkpointId = checkpointId;
        this.directory = directory;
        this.root = root;
        this.selfContained = selfContained;
        this.merging = merging;
    }

    @Override
    public long checkpointId() {
        return checkpointId;
    }

    @Override
    public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
        return createOutputStream(scope, null, -1);
    }

    @Override
    public CheckpointStreamFactory forSubtask(String operatorId, int subtaskIndex) {
        if (merging == null) {
            return this;
        }
        FileCheckpointLocation location = this;
        return new CheckpointStreamFactory() {
            @Override
            public CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope) {
                return location.createOutputStream(scope, operatorId, subtaskIndex);
            }

            @Override
            public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
                return location.reusable(candidates);
            }
        };
    }

    @Override
    public Collection<StreamStateHandle> reusable(Collection<StreamStateHandle> candidates) {
        return merging == null ? List.copyOf(candidates) : merging.reusable(candidates);
    }

    private synchronized CheckpointStateOutputStream createOutputStream(CheckpointedStateScope scope,
            String operatorId, int subtaskIndex) {
        if (finalized || disposed) {
            throw new CheckpointException("checkpoint " + checkpointId + " is already "
                    + (finalized ? "finalized" : "discarded") + "; no more state can be written to " + directory);
        }
        if (merging != null && scope != CheckpointedStateScope.TASK_OWNED) {
            return merging.createOutputStream(operatorId, subtaskIndex);
        }
        String dir = selfContained ? directory : switch (scope) {
            case EXCLUSIVE -> directory;
            case SHARED -> storage.sharedLocation();
            case TASK_OWNED -> storage.taskOwnedLocation();
        };
        return new FileStateOutputStream(this, store, options, dir, scope);
    }

    @Override
    public synchronized CompletedCheckpoint finalizeCheckpoint(CheckpointMetadata metadata) {
        if (disposed) {
            throw new CheckpointException("checkpoint " + checkpointId + " was discarded and cannot be finalized");
        }
        if (metadata.checkpointId() != checkpointId) {
            throw new CheckpointException("metadata of checkpoint " + metadata.checkpointId()
                    + " given to the location of checkpoint " + checkpointId);
        }
        String file = directory + FileCheckpointStorage.METADATA_FILE_NAME;
        byte[] bytes = MetadataFormat.write(metadata, root);
        if (bytes.length > options.maxMetadataSize()) {
            throw new CheckpointException(file + ": metadata of " + bytes.length + " bytes exceeds "
                    + FileCheckpointStorageOptions.MAX_METADATA_SIZE + " = " + options.maxMetadataSize()
                    + "; it could not be read back");
        }
        if (merging != null) {
            merging.commit(FileCheckpointStorage.segments(metadata));
        }
        try (BlobOutputStream out = store.create(file)) {
            out.write(bytes);
            BlobInfo info = out.commit();
            if (info.length() != bytes.length) {
                throw new StorageException(file + ": the store committed " + info.length() + " bytes of "
                        + bytes.length);
            }
        } catch (BlobAlreadyExistsException e) {
            throw new CheckpointException(file + ": " + (selfContained ? "savepoint " : "checkpoint ")
                    + checkpointId + " was already finalized; its metadata is left as it was", e);
        }
        finalized = true;
        return new CompletedCheckpoint(Locations.stripTrailingSlash(directory), metadata);
    }

    @Override
    public void discardOnFailure() {
        List<String> toDelete;
        synchronized (this) {
            if (finalized || disposed) {
                return;
            }
            disposed = true;
            toDelete = new ArrayList<>(written);
            written.clear();
        }
        try {
            if (merging != null) {
                merging.abort();
            }
        } finally {
            BlobStores.deleteAll(store, toDelete);
        }
    }

    /** Records a committed file; if the location was discarded meanwhile, deletes it and fails. */
    void committed(String location, CheckpointedStateScope scope) {
        synchronized (this) {
            if (!disposed) {
                if (selfContained || scope != CheckpointedStateScope.TASK_OWNED) {
                    written.add(location);
                }
                return;
            }
        }
        store.delete(location);
        throw new CheckpointException(location + ": checkpoint " + checkpointId
                + " was discarded while this state was written");
    }
}
