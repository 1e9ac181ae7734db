package dev.cairn.error;

/** Root of every exception Cairn throws; unchecked, so callers catch only what they can act on. */
public class CairnException extends RuntimeException {
    public CairnException(String message) {
        super(message);
    }

    public CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
