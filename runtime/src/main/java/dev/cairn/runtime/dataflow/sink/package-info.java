/** Sinks for the embedded runtime; {@link dev.cairn.runtime.dataflow.sink.TwoPhaseCommitFileSink} gives exactly-once file output. */
package dev.cairn.runtime.dataflow.sink;
