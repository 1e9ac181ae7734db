package dev.cairn.error;

/** A storage operation failed; the message names the location, the cause is kept. */
public class StorageException extends CairnException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
