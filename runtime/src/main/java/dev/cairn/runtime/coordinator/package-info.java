/**
 * The checkpoint coordinator: triggers checkpoints per {@code CheckpointConfig}, collects
 * acknowledgements, completes, subsumes and retains checkpoints, counts failures, and assigns
 * restored state to subtasks. It talks to the running job only through
 * {@link dev.cairn.runtime.coordinator.CheckpointTaskGateway} and
 * {@link dev.cairn.runtime.coordinator.CheckpointResponder}.
 */
package dev.cairn.runtime.coordinator;
