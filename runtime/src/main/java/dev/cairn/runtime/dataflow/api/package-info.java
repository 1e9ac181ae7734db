/**
 * What a user writes to run a job on the embedded runtime: replayable sources, operators (keyed or not,
 * sinks included), their output and the context through which they reach their state.
 */
package dev.cairn.runtime.dataflow.api;
