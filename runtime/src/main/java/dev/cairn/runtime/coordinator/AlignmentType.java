package dev.cairn.runtime.coordinator;

/** How a task treats barriers of one checkpoint on its input channels. */
public enum AlignmentType {
    /** Block each channel once its barrier arrived until all channels delivered it (exactly-once). */
    ALIGNED,
    /** Take the snapshot at the first barrier and persist the records it overtook as channel state (exactly-once). */
    UNALIGNED,
    /** Never block; snapshot once every channel delivered the barrier (at-least-once). */
    AT_LEAST_ONCE
}
