package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import dev.cairn.error.ConfigurationException;
import java.util.Locale;
import java.util.Map;

/**
 * Serves the {@code file} scheme with a {@link LocalBlobStore}. Options (all optional):
 * {@value #PUBLISH_MODE} = {@code hard-link} (default) or {@code rename}, and
 * {@value #BUFFER_SIZE} = the write/read buffer in bytes (default 65536).
 */
public final class LocalBlobStoreProvider implements BlobStoreProvider {
    /** How commits publish: {@code hard-link} (create-only even under races) or {@code rename}. */
    public static final String PUBLISH_MODE = "file.publish-mode";
    /** Buffer size in bytes for writes and streamed reads. */
    public static final String BUFFER_SIZE = "file.buffer-size";

    static final int MIN_BUFFER_SIZE = 512;
    static final int MAX_BUFFER_SIZE = 16 * 1024 * 1024;

    @Override
    public String scheme() {
        return "file";
    }

    @Override
    public BlobStore create(Map<String, String> config) {
        return new LocalBlobStore(publishMode(config.get(PUBLISH_MODE)), bufferSize(config.get(BUFFER_SIZE)));
    }

    private static LocalBlobStore.PublishMode publishMode(String value) {
        if (value == null) {
            return LocalBlobStore.PublishMode.HARD_LINK;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "hard-link":
                return LocalBlobStore.PublishMode.HARD_LINK;
            case "rename":
                return LocalBlobStore.PublishMode.RENAME;
            default:
                throw new ConfigurationException(PUBLISH_MODE + " = '" + value
                        + "' is not supported; use 'hard-link' or 'rename'");
        }
    }

    private static int bufferSize(String value) {
        if (value == null) {
            return LocalBlobStore.DEFAULT_BUFFER_SIZE;
        }
        int size;
        try {
            size = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(BUFFER_SIZE + " = '" + value + "' is not a whole number of bytes", e);
        }
        if (size < MIN_BUFFER_SIZE || size > MAX_BUFFER_SIZE) {
            throw new ConfigurationException(BUFFER_SIZE + " = " + size + " is out of range ["
                    + MIN_BUFFER_SIZE + ", " + MAX_BUFFER_SIZE + "]");
        }
        return size;
    }
}
