package dev.cairn.blob;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A blob's location, its length in bytes and, where the store reports it, when it was last modified
 * ({@code null} otherwise): listings of the built-in stores report it, the answer of a commit does not.
 * Operator tools use it to leave young files alone.
 */
public record BlobInfo(String location, long length, Instant lastModified) {
    public BlobInfo {
        Objects.requireNonNull(location, "location");
    }

    /** A blob without a modification time. */
    public BlobInfo(String location, long length) {
        this(location, length, null);
    }

    /** When the blob was last modified, if the store said. */
    public Optional<Instant> modified() {
        return Optional.ofNullable(lastModified);
    }
}
