package dev.cairn.runtime.dataflow;

import java.util.OptionalLong;

/** Told about the life of a job run, on the runner's thread; keep it quick. */
public interface JobListener {
    /** Attempt {@code attempt} (0 first) starts, restored from {@code checkpointId} if present. */
    default void onAttemptStarted(int attempt, OptionalLong checkpointId) {
    }

    /** Attempt {@code attempt} failed with {@code cause}; a restart may follow. */
    default void onFailure(int attempt, Throwable cause) {
    }
}
