package dev.cairn.runtime.dataflow;

import dev.cairn.error.CairnException;

/** A task failure caused on purpose by a {@link FailureInjector}, to exercise recovery. */
public class InjectedFailureException extends CairnException {
    public InjectedFailureException(String message) {
        super(message);
    }
}
