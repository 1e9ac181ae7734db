package dev.cairn.blob;

/**
 * Where checkpoint bytes go: the only interface a custom storage must implement.
 * Locations are URI strings of the store's scheme ({@code file:///data/chk/x},
 * {@code s3://bucket/key}). Blobs are immutable: written once through
 * {@link #create(String)}, visible only after {@link BlobOutputStream#commit()}.
 * Optional abilities are mix-ins: {@link SupportsPrefixListing}, {@link SupportsBulkDelete}.
 * Implementations are thread-safe.
 */
public interface BlobStore extends AutoCloseable {

    /**
     * Starts writing a new blob. Nothing is visible at {@code location} until the stream is
     * committed; closing it without a commit aborts and leaves nothing behind. Committing to a
     * location that already holds a blob fails with {@link dev.cairn.error.BlobAlreadyExistsException}.
     */
    BlobOutputStream create(String location);

    /**
     * Opens a committed blob for reading.
     *
     * @throws dev.cairn.error.BlobNotFoundException if there is none at {@code location}
     */
    InputBlob open(String location);

    /** Deletes a blob; deleting a location that holds none is not an error. */
    void delete(String location);

    /** Whether a committed blob exists at {@code location}. */
    default boolean exists(String location) {
        try {
            open(location);
            return true;
        } catch (dev.cairn.error.BlobNotFoundException e) {
            return false;
        }
    }

    /** Releases clients and threads; the default holds none. */
    @Override
    default void close() {
    }
}
