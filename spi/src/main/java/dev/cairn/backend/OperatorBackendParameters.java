package dev.cairn.backend;

import dev.cairn.checkpoint.StateHandleReader;
import java.util.Objects;

/** What an operator backend is created for: the operator, its subtask, and a reader for restored handles. */
public record OperatorBackendParameters(String operatorId, int subtaskIndex, StateHandleReader handleReader) {
    public OperatorBackendParameters {
        Objects.requireNonNull(operatorId, "operatorId");
        Objects.requireNonNull(handleReader, "handleReader");
    }
}
