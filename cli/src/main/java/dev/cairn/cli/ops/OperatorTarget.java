package dev.cairn.cli.ops;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.Locations;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.error.ConfigurationException;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The directory an operator tool was pointed at (a checkpoint, a savepoint, a job directory or any directory
 * above them, on any blob store), the blob store serving it and a checkpoint storage that resolves what lies
 * there. A path without a scheme is a local directory.
 */
final class OperatorTarget implements AutoCloseable {
    final String directory;
    final BlobStore store;
    final FileCheckpointStorage storage;

    private OperatorTarget(String directory, BlobStore store, FileCheckpointStorage storage) {
        this.directory = directory;
        this.store = store;
        this.storage = storage;
    }

    static OperatorTarget open(String location, Map<String, String> options) {
        String directory = Locations.directory(toLocation(location));
        String name = Locations.name(Locations.stripTrailingSlash(directory));
        if (name.equals(FileCheckpointStorage.METADATA_FILE_NAME)) {
            directory = Locations.directory(Locations.parent(Locations.stripTrailingSlash(directory)));
            name = Locations.name(Locations.stripTrailingSlash(directory));
        }
        String base;
        try {
            base = Locations.parent(Locations.stripTrailingSlash(directory));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(location + ": a directory of checkpoints lies below the root of its"
                    + " store; name one (e.g. " + directory + "checkpoints)");
        }
        Map<String, String> config = new HashMap<>(options);
        // the tools check every file themselves, and a checkpoint with a damaged file is still shown
        config.put(FileCheckpointStorageOptions.VERIFY_FILES_ON_RESOLVE, "false");
        FileCheckpointStorageOptions storageOptions = FileCheckpointStorageOptions.fromConfig(config);
        BlobStore store = BlobStores.forLocation(directory, options);
        try {
            if (!(store instanceof SupportsPrefixListing)) {
                throw new ConfigurationException(location + ": the blob store " + store.getClass().getName()
                        + " cannot list a directory (" + SupportsPrefixListing.class.getSimpleName() + ")");
            }
            return new OperatorTarget(directory, store, new FileCheckpointStorage(store, base, name, storageOptions));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static String toLocation(String location) {
        if (location.contains("://")) {
            return location;
        }
        return "file://" + Path.of(location).toAbsolutePath().normalize();
    }

    /** Whether the directory is a {@code chk-<n>/} or {@code savepoint-…/} directory itself. */
    boolean isCheckpointDirectory() {
        String name = Locations.name(Locations.stripTrailingSlash(directory));
        return name.startsWith(FileCheckpointStorage.SAVEPOINT_DIR_PREFIX)
                || (name.startsWith(FileCheckpointStorage.CHECKPOINT_DIR_PREFIX)
                        && FileCheckpointStorage.parseId(name) != null);
    }

    /** Every committed blob under {@code prefix}. */
    List<BlobInfo> list(String prefix) {
        List<BlobInfo> found = new ArrayList<>();
        for (BlobInfo info : ((SupportsPrefixListing) store).list(prefix)) {
            if (info.location().startsWith(prefix)) {
                found.add(info);
            }
        }
        return found;
    }

    @Override
    public void close() {
        try {
            storage.close();
        } finally {
            store.close();
        }
    }
}
