package dev.cairn.checkpoint;

import dev.cairn.keygroup.KeyGroupRange;

/** Snapshotted keyed state of a range of key groups. */
public interface KeyedStateHandle extends StateHandle {
    KeyGroupRange keyGroupRange();

    /** Bytes newly persisted by the checkpoint that made this handle (smaller than the state when incremental). */
    default long checkpointedSize() {
        return stateSize();
    }
}
