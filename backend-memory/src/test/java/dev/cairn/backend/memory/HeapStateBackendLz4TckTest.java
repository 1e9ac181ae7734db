package dev.cairn.backend.memory;

import dev.cairn.backend.StateBackend;
import dev.cairn.format.snapshot.SnapshotCompression;
import dev.cairn.tck.StateBackendTck;

/** Runs the whole suite with LZ4-compressed snapshot blocks. */
class HeapStateBackendLz4TckTest extends StateBackendTck {
    @Override
    protected StateBackend createBackend() {
        return new HeapStateBackend(SnapshotCompression.LZ4);
    }
}
