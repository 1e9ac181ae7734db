package dev.cairn.backend.rocksdb;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackendFactory;
import java.util.Map;

/**
 * Creates the {@code rocksdb} backend from the options of {@link RocksDbOptions}. Unknown options
 * are refused, as the memory backend does, so a misspelt key does not pass silently.
 */
public final class RocksDbStateBackendFactory implements StateBackendFactory {
    @Override
    public String name() {
        return RocksDbStateBackend.NAME;
    }

    @Override
    public StateBackend create(Map<String, String> config) {
        return new RocksDbStateBackend(RocksDbOptions.parse(config));
    }
}
