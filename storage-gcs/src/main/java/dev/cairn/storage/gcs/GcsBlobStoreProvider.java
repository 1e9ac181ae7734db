package dev.cairn.storage.gcs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.StorageOptions;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStoreProvider;
import dev.cairn.error.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves the {@code gs} scheme with a {@link GcsBlobStore}. Options (all optional):
 * {@value #PROJECT_ID}; {@value #CREDENTIALS_FILE} = a service-account JSON file, or {@code none}
 * for anonymous access to an emulator (default: Google's application-default chain);
 * {@value #ENDPOINT} = an endpoint host override such as {@code http://127.0.0.1:4443};
 * {@value #CHUNK_SIZE} = resumable-upload chunk size in bytes, a multiple of 256 KiB
 * (default 8 MiB); {@value #MAX_ATTEMPTS} = attempts per request under the client's retry
 * policy (default: the client's).
 */
public final class GcsBlobStoreProvider implements BlobStoreProvider {
    public static final String PROJECT_ID = "gcs.project-id";
    public static final String CREDENTIALS_FILE = "gcs.credentials-file";
    public static final String ENDPOINT = "gcs.endpoint";
    public static final String CHUNK_SIZE = "gcs.chunk-size";
    public static final String MAX_ATTEMPTS = "gcs.max-attempts";

    static final int MAX_CHUNK_SIZE = 256 * 1024 * 1024;

    @Override
    public String scheme() {
        return "gs";
    }

    @Override
    public BlobStore create(Map<String, String> config) {
        return new GcsBlobStore(options(config).getService(), chunkSize(config.get(CHUNK_SIZE)), true);
    }

    /** The client options {@code config} describes; exposed so tests can check the parsing. */
    static StorageOptions options(Map<String, String> config) {
        StorageOptions.Builder b = StorageOptions.http();
        String project = config.get(PROJECT_ID);
        if (project != null && !project.isBlank()) {
            b.setProjectId(project.trim());
        }
        String endpoint = config.get(ENDPOINT);
        if (endpoint != null && !endpoint.isBlank()) {
            String e = endpoint.trim();
            if (!e.startsWith("http://") && !e.startsWith("https://")) {
                throw new ConfigurationException(ENDPOINT + " = '" + e + "' must start with http:// or https://");
            }
            b.setHost(e);
        }
        String credentials = config.get(CREDENTIALS_FILE);
        if (credentials != null && !credentials.isBlank()) {
            if (credentials.trim().equalsIgnoreCase("none")) {
                b.setCredentials(NoCredentials.getInstance());
            } else {
                Path file = Path.of(credentials.trim());
                try (InputStream in = Files.newInputStream(file)) {
                    b.setCredentials(GoogleCredentials.fromStream(in));
                } catch (IOException e) {
                    // the exception text could quote the file's content: name the file only
                    throw new ConfigurationException(CREDENTIALS_FILE + " = '" + file
                            + "' cannot be read as Google credentials (" + e.getClass().getSimpleName() + ")");
                }
            }
        }
        String attempts = config.get(MAX_ATTEMPTS);
        if (attempts != null) {
            int n = parseInt(MAX_ATTEMPTS, attempts);
            if (n < 1 || n > 100) {
                throw new ConfigurationException(MAX_ATTEMPTS + " = " + n + " is out of range [1, 100]");
            }
            b.setRetrySettings(ServiceOptions.getDefaultRetrySettings().toBuilder().setMaxAttempts(n).build());
        }
        return b.build();
    }

    static int chunkSize(String value) {
        if (value == null) {
            return GcsBlobStore.DEFAULT_CHUNK_SIZE;
        }
        int size = parseInt(CHUNK_SIZE, value);
        if (size <= 0 || size > MAX_CHUNK_SIZE || size % (256 * 1024) != 0) {
            throw new ConfigurationException(CHUNK_SIZE + " = " + size
                    + " must be a positive multiple of 262144 (256 KiB) up to " + MAX_CHUNK_SIZE);
        }
        return size;
    }

    private static int parseInt(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(key + " = '" + value + "' is not a whole number", e);
        }
    }
}
