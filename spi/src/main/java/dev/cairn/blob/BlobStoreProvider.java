package dev.cairn.blob;

import java.util.Map;

/**
 * Creates {@link BlobStore}s for one URI scheme. Registered for {@link java.util.ServiceLoader}
 * in {@code META-INF/services/dev.cairn.blob.BlobStoreProvider}; {@link BlobStores} finds it.
 */
public interface BlobStoreProvider {
    /** The URI scheme this provider serves, lower case, e.g. {@code file} or {@code s3}. */
    String scheme();

    /** A store configured by {@code config}; unknown keys are ignored, invalid values rejected. */
    BlobStore create(Map<String, String> config);
}
