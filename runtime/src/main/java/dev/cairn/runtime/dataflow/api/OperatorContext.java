package dev.cairn.runtime.dataflow.api;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorStateBackend;
import java.util.OptionalLong;

/** What an operator instance can see of the job: its identity, its state and how it was started. */
public interface OperatorContext {
    String operatorId();

    int subtaskIndex();

    int parallelism();

    int maxParallelism();

    /**
     * A token unique to this execution attempt of the job (across restarts and across processes), for
     * naming files or transactions that must not collide with those of an earlier attempt.
     */
    String attemptId();

    /** Operator (non-keyed) state of this subtask. */
    OperatorStateBackend operatorState();

    /**
     * Keyed state of this subtask, scoped to the current record's key.
     *
     * @throws IllegalStateException if the operator is not keyed
     */
    <K> KeyedStateBackend<K> keyedState();

    /** The checkpoint this attempt restored from, if any (empty on a fresh start). */
    OptionalLong restoredCheckpointId();

    /** Whether the restored checkpoint holds state of this operator (false on a fresh start or a new operator). */
    boolean isRestored();

    /**
     * Whether a checkpoint will be taken after {@link StreamOperator#finish} and before the job ends, so a
     * two-phase-commit sink can wait for it; false when checkpointing is off or after tasks finish is disabled.
     */
    boolean finalCheckpointExpected();
}
