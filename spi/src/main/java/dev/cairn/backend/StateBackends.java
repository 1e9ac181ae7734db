package dev.cairn.backend;

import dev.cairn.error.ConfigurationException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds state backends on the class path by name. */
public final class StateBackends {
    private StateBackends() {
    }

    public static StateBackend create(String name, Map<String, String> config) {
        TreeSet<String> known = new TreeSet<>();
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        for (StateBackendFactory f : ServiceLoader.load(StateBackendFactory.class,
                cl != null ? cl : StateBackends.class.getClassLoader())) {
            if (f.name().equalsIgnoreCase(name)) {
                return f.create(Map.copyOf(config));
            }
            known.add(f.name());
        }
        throw new ConfigurationException("no state backend named '" + name + "' on the class path (found: "
                + known + "); add the backend module's jar");
    }
}
