package dev.cairn.backend.memory;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackendFactory;
import dev.cairn.error.ConfigurationException;
import dev.cairn.format.snapshot.SnapshotCompression;
import java.util.Map;
import java.util.Set;

/**
 * Creates the {@code memory} backend. Options: {@code compression} = {@code none} (default),
 * {@code lz4} or {@code snappy}. Unknown options are refused so a misspelt key does not pass silently.
 */
public final class HeapStateBackendFactory implements StateBackendFactory {
    /** Codec of snapshot blocks. */
    public static final String COMPRESSION = "compression";
    private static final Set<String> OPTIONS = Set.of(COMPRESSION);

    @Override
    public String name() {
        return HeapStateBackend.NAME;
    }

    @Override
    public StateBackend create(Map<String, String> config) {
        for (String key : config.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new ConfigurationException("state backend 'memory': unknown option '" + key
                        + "' (known: " + OPTIONS + ")");
            }
        }
        SnapshotCompression compression = SnapshotCompression.NONE;
        String value = config.get(COMPRESSION);
        if (value != null) {
            try {
                compression = SnapshotCompression.parse(value);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("state backend 'memory': option '" + COMPRESSION + "': "
                        + e.getMessage(), e);
            }
        }
        return new HeapStateBackend(compression);
    }
}
