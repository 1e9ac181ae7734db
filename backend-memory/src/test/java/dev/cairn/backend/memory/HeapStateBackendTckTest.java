package dev.cairn.backend.memory;

import dev.cairn.backend.StateBackend;
import dev.cairn.tck.StateBackendTck;
import java.util.Map;

/** Certifies the heap backend (no compression) on in-memory checkpoint storage. */
class HeapStateBackendTckTest extends StateBackendTck {
    @Override
    protected StateBackend createBackend() {
        return new HeapStateBackend();
    }

    @Override
    protected StateBackend createBackend(Map<String, String> options) {
        return new HeapStateBackendFactory().create(options);
    }
}
