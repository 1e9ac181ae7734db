package dev.cairn.storage.s3;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import java.util.Map;

/**
 * Serves the {@code s3} scheme with an {@link S3BlobStore}; the options are the {@code s3.*} keys
 * documented on {@link S3Config}. Secrets are taken from the map or the SDK's default credential chain
 * and never appear in logs or messages.
 */
public final class S3BlobStoreProvider implements BlobStoreProvider {
    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public BlobStore create(Map<String, String> config) {
        return new S3BlobStore(S3Config.fromMap(config));
    }
}
