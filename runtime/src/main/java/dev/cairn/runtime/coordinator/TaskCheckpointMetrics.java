package dev.cairn.runtime.coordinator;

/**
 * What one subtask measured while taking its part of a checkpoint, in milliseconds and bytes:
 * synchronous and asynchronous phase, barrier alignment, the state it covers and the bytes it
 * newly persisted (less than the state size for incremental snapshots; includes channel state).
 */
public record TaskCheckpointMetrics(long syncDurationMillis, long asyncDurationMillis, long alignmentDurationMillis,
        long stateSize, long persistedSize, boolean unaligned) {
}
