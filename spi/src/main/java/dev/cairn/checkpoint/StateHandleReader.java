package dev.cairn.checkpoint;

import dev.cairn.blob.SeekableInputStream;

/** Opens the bytes behind a {@link StreamStateHandle}; given to backends when they restore. */
@FunctionalInterface
public interface StateHandleReader {
    SeekableInputStream open(StreamStateHandle handle);
}
