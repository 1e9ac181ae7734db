package dev.cairn.blob;

/** A blob store that deletes many blobs in few requests. */
public interface SupportsBulkDelete {
    /**
     * Deletes all {@code locations}; missing ones are not an error, so a repeated call is
     * harmless. If some deletions fail, the rest are still attempted and one
     * {@link dev.cairn.error.StorageException} reports the failures.
     */
    void deleteAll(Iterable<String> locations);
}
