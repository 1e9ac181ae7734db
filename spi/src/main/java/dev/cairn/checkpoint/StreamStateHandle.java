package dev.cairn.checkpoint;

import java.util.List;

/** A handle to one stream of bytes: inline in the metadata or a blob in storage. */
public interface StreamStateHandle extends StateHandle {
    @Override
    default List<StreamStateHandle> streams() {
        return List.of(this);
    }
}
