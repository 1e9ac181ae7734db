package dev.cairn.runtime.config;

/** The consistency a checkpoint gives on recovery. */
public enum CheckpointingMode {
    /** Barriers are aligned (or in-flight data is persisted): every record affects state exactly once. */
    EXACTLY_ONCE,
    /** Barriers are not aligned: no record is lost, some may be processed twice after a recovery. */
    AT_LEAST_ONCE
}
