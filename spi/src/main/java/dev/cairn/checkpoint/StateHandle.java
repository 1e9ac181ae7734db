package dev.cairn.checkpoint;

import java.util.List;

/**
 * A value that says where a piece of snapshotted state lives. Handles are immutable and
 * written into the checkpoint metadata by {@link dev.cairn.format.MetadataFormat}.
 */
public interface StateHandle {
    /** Bytes of state this handle covers. */
    long stateSize();

    /** The byte streams this handle reads from, so storage can resolve, verify or delete them. */
    List<StreamStateHandle> streams();
}
