package dev.cairn.backend;

import java.util.Map;

/**
 * Creates a {@link StateBackend} by name. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.cairn.backend.StateBackendFactory}; {@link StateBackends} finds it.
 */
public interface StateBackendFactory {
    /** The backend's name, e.g. {@code memory} or {@code rocksdb}. */
    String name();

    /** A backend configured by {@code config}; invalid values are rejected with a message naming the key. */
    StateBackend create(Map<String, String> config);
}
