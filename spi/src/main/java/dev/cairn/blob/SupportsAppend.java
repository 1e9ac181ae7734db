package dev.cairn.blob;

/**
 * A blob store that can durably extend a committed blob, as a file system can ({@code file://},
 * HDFS) and an object store cannot. File merging across checkpoint boundaries needs it: a merged
 * file keeps taking the segments of later checkpoints.
 */
public interface SupportsAppend {
    /**
     * Opens the committed blob at {@code location} to append after its first {@code expectedLength}
     * bytes. {@link BlobOutputStream#commit()} makes the appended bytes durable and returns the new
     * length; {@link BlobOutputStream#close()} before commit cuts the blob back to
     * {@code expectedLength}, so an aborted append leaves the blob as it was committed. Bytes beyond
     * {@code expectedLength} that a killed writer left are overwritten.
     *
     * @throws dev.cairn.error.BlobNotFoundException if there is no blob at {@code location}
     * @throws dev.cairn.error.StorageException if the blob is shorter than {@code expectedLength}
     */
    BlobOutputStream append(String location, long expectedLength);
}
