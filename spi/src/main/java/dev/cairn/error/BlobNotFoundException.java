package dev.cairn.error;

/** A read named a location that holds no committed blob. */
public class BlobNotFoundException extends StorageException {
    public BlobNotFoundException(String location) {
        super(location + ": no such blob");
    }

    public BlobNotFoundException(String location, Throwable cause) {
        super(location + ": no such blob", cause);
    }
}
