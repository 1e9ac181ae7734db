package dev.cairn.blob;

/** A blob store that can list the blobs whose location starts with a prefix. */
public interface SupportsPrefixListing {
    /**
     * The committed blobs whose location starts with {@code prefix}, in no particular order.
     * Uncommitted (in-progress or aborted) writes never appear.
     */
    Iterable<BlobInfo> list(String prefix);
}
