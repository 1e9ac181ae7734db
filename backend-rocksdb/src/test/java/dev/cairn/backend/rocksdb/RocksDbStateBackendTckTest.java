package dev.cairn.backend.rocksdb;

import dev.cairn.backend.StateBackend;
import dev.cairn.tck.StateBackendTck;
import java.util.Map;

/** Certifies the RocksDB backend (incremental checkpoints) on in-memory checkpoint storage. */
class RocksDbStateBackendTckTest extends StateBackendTck {
    @Override
    protected StateBackend createBackend() {
        return new RocksDbStateBackend();
    }

    @Override
    protected StateBackend createBackend(Map<String, String> options) {
        return new RocksDbStateBackendFactory().create(options);
    }
}
