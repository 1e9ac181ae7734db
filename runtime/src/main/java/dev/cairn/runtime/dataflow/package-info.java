/**
 * The embedded runtime: a small, real, multi-threaded dataflow that runs a {@link dev.cairn.runtime.dataflow.JobGraph}
 * with one thread per operator subtask, bounded channels that backpressure, checkpoint barriers flowing with
 * the records (aligned, unaligned or at-least-once), a restart strategy that restores every task from the
 * latest completed checkpoint, and {@link dev.cairn.runtime.dataflow.JobRunner}, which drives it with the
 * checkpoint coordinator.
 */
package dev.cairn.runtime.dataflow;
