package dev.cairn.error;

/** State restored from a checkpoint cannot be read with the serializer or type now declared for it. */
public class IncompatibleStateException extends CairnException {
    public IncompatibleStateException(String message) {
        super(message);
    }
}
