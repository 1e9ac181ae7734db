package dev.cairn.runtime.dataflow.api;

/**
 * One parallel instance of an operator (a sink is an operator without output). All methods are called
 * from the subtask's own thread, one at a time. For a keyed operator the runtime sets the current key of
 * {@link OperatorContext#keyedState()} to the record's key before {@link #processElement}.
 *
 * @param <IN>  the records it consumes
 * @param <OUT> the records it emits ({@code Void} for sinks)
 */
public interface StreamOperator<IN, OUT> {

    /** Called once before any record, after the state was restored; registers or reads state here. */
    default void open(OperatorContext context) {
    }

    void processElement(IN record, Output<OUT> out);

    /**
     * The synchronous phase of a checkpoint: everything processed so far belongs to checkpoint
     * {@code checkpointId}, nothing after. Write what is not yet in state (buffers, pending transactions)
     * into state here; keep it short. An exception fails the task.
     */
    default void snapshotState(long checkpointId) {
    }

    /** Checkpoint {@code checkpointId} completed; what was prepared for it (and earlier) may be committed. */
    default void notifyCheckpointComplete(long checkpointId) {
    }

    /** Checkpoint {@code checkpointId} was aborted. */
    default void notifyCheckpointAborted(long checkpointId) {
    }

    /** The end of input: flush buffered data to {@code out}. Checkpoints taken afterwards see no further records. */
    default void finish(Output<OUT> out) {
    }

    /** Releases resources; called on success, failure and cancellation. */
    default void close() {
    }
}
