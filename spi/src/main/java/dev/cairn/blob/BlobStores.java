package dev.cairn.blob;

import dev.cairn.error.ConfigurationException;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Finds {@link BlobStoreProvider}s on the class path by URI scheme. */
public final class BlobStores {
    private BlobStores() {
    }

    /** Opens a store for the scheme of {@code location} (a URI such as {@code file:///tmp/x}). */
    public static BlobStore forLocation(String location, Map<String, String> config) {
        return create(schemeOf(location), config);
    }

    /** Opens a store for {@code scheme}, failing with the list of known schemes if none is found. */
    public static BlobStore create(String scheme, Map<String, String> config) {
        String wanted = scheme.toLowerCase(Locale.ROOT);
        TreeSet<String> known = new TreeSet<>();
        for (BlobStoreProvider p : ServiceLoader.load(BlobStoreProvider.class, classLoader())) {
            if (p.scheme().equalsIgnoreCase(wanted)) {
                return p.create(Map.copyOf(config));
            }
            known.add(p.scheme());
        }
        throw new ConfigurationException("no blob store provider for scheme '" + scheme
                + "' on the class path (found: " + known + "); add the storage module's jar");
    }

    /** The lower-case scheme of a location URI. */
    /**
     * Deletes {@code locations} from {@code store}: in bulk where the store implements
     * {@link SupportsBulkDelete}, one by one otherwise. Missing blobs are not an error.
     */
    public static void deleteAll(BlobStore store, List<String> locations) {
        if (locations.isEmpty()) {
            return;
        }
        if (store instanceof SupportsBulkDelete bulk) {
            bulk.deleteAll(locations);
        } else {
            for (String location : locations) {
                store.delete(location);
            }
        }
    }

    public static String schemeOf(String location) {
        String scheme;
        try {
            scheme = URI.create(location).getScheme();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("'" + location + "' is not a valid location URI: " + e.getMessage(), e);
        }
        if (scheme == null) {
            throw new ConfigurationException("'" + location + "' has no scheme (expected e.g. file:///path)");
        }
        return scheme.toLowerCase(Locale.ROOT);
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : BlobStores.class.getClassLoader();
    }
}
