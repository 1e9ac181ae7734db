package dev.cairn.error;

/** A commit targeted a location that already holds a committed blob; blobs are immutable. */
public class BlobAlreadyExistsException extends StorageException {
    public BlobAlreadyExistsException(String location) {
        super(location + ": a blob already exists at this location");
    }
}
