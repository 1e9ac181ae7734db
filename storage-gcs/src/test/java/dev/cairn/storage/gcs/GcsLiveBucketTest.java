package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@link BlobStoreTck} against a real bucket, for what {@code LocalStorageHelper} cannot
 * show: object generations, the does-not-exist precondition under racing commits (so it declares
 * {@code ATOMIC_RENAME}), CRC32C reported by the server for resumable uploads, and paged listings.
 * Runs only when {@code CAIRN_GCS_TEST_BUCKET} names a bucket and credentials are given by
 * {@code CAIRN_GCS_CREDENTIALS_FILE} or {@code GOOGLE_APPLICATION_CREDENTIALS}; skipped otherwise.
 * Everything it writes lives under a fresh {@code cairn-test-<uuid>/} prefix, deleted afterwards.
 */
class GcsLiveBucketTest extends BlobStoreTck {
    private static final String BUCKET = System.getenv("CAIRN_GCS_TEST_BUCKET");
    private static final String RUN = "cairn-test-" + UUID.randomUUID();
    private static final AtomicInteger BASES = new AtomicInteger();

    /** Called first by every rule, so each one is reported as skipped with the reason. */
    private static void requireBucketAndCredentials() {
        Assumptions.assumeTrue(BUCKET != null && !BUCKET.isBlank(),
                "live GCS test skipped: set CAIRN_GCS_TEST_BUCKET to a bucket you may write to");
        Assumptions.assumeTrue(credentialsFile() != null,
                "live GCS test skipped: set CAIRN_GCS_CREDENTIALS_FILE or GOOGLE_APPLICATION_CREDENTIALS");
    }

    private static String credentialsFile() {
        String f = System.getenv("CAIRN_GCS_CREDENTIALS_FILE");
        if (f == null || f.isBlank()) {
            f = System.getenv("GOOGLE_APPLICATION_CREDENTIALS");
        }
        return f == null || f.isBlank() ? null : f;
    }

    private static Map<String, String> config() {
        Map<String, String> c = new HashMap<>();
        c.put(GcsBlobStoreProvider.CREDENTIALS_FILE, credentialsFile());
        c.put(GcsBlobStoreProvider.CHUNK_SIZE, String.valueOf(1024 * 1024));
        return c;
    }

    @AfterAll
    static void deleteRunPrefix() {
        if (BUCKET == null || BUCKET.isBlank() || credentialsFile() == null) {
            return;
        }
        try (BlobStore s = BlobStores.create("gs", config())) {
            GcsBlobStore gcs = (GcsBlobStore) s;
            java.util.List<String> all = new java.util.ArrayList<>();
            gcs.list("gs://" + BUCKET + "/" + RUN + "/").forEach(b -> all.add(b.location()));
            gcs.deleteAll(all);
        }
    }

    @Override
    protected BlobStore createBlobStore() {
        requireBucketAndCredentials();
        return BlobStores.create("gs", config());
    }

    @Override
    protected String newBaseLocation() {
        return "gs://" + BUCKET + "/" + RUN + "/t" + BASES.incrementAndGet() + "/";
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }

    @Test
    void resumableUploadIsInvisibleUntilCommitAndGetsAServerCrc32c() {
        String location = base + "resumable.bin";
        GcsBlobStore gcs = (GcsBlobStore) store;
        byte[] data = bytes(3 * 1024 * 1024 + 17, 5);
        try (BlobOutputStream out = gcs.create(location)) {
            out.write(data);
            assertThat(gcs.exists(location)).as("visible before commit").isFalse();
            out.commit();
        }
        com.google.cloud.storage.Blob blob = gcs.storage().get(GcsLocation.parseObject(location).blobId());
        assertThat(blob.getGeneration()).isNotNull();
        assertThat(blob.getCrc32c()).isNotNull();
        assertThat(readAll(location)).isEqualTo(data);
    }
}
