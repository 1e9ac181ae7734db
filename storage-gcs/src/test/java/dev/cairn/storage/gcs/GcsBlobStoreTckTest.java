package dev.cairn.storage.gcs;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.blob.BlobStore;
import dev.cairn.tck.BlobStoreTck;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Certifies {@link GcsBlobStore} on Google's in-memory {@code LocalStorageHelper} fake. It declares
 * no {@code ATOMIC_RENAME}: the fake ignores the does-not-exist precondition, so only the
 * check-before-finalize guards a commit there and racing commits can both win (on GCS the
 * precondition makes exactly one win; {@link GcsLiveBucketTest} covers that). The fake also lists
 * a resumable upload from the moment its session opens, which GCS does not; the rules' blobs fit in
 * one chunk, so they take the single-request path whose visibility the fake models faithfully.
 */
class GcsBlobStoreTckTest extends BlobStoreTck {
    /** One fake per test instance, so that the bytes of finished rules can be collected. */
    private final Storage fake = LocalStorageHelper.customOptions(false).getService();
    private static final AtomicInteger BASES = new AtomicInteger();

    @Override
    protected BlobStore createBlobStore() {
        return new GcsBlobStore(fake, 1024 * 1024, false);
    }

    @Override
    protected String newBaseLocation() {
        return "gs://tck-bucket/base-" + BASES.incrementAndGet() + "/";
    }

    /** The fake keeps every uploaded byte in this JVM's heap, so a 64 MiB upload grows it by that much plus a chunk. */
    @Override
    protected long streamingHeapBound() {
        return 64L * 1024 * 1024 + 24L * 1024 * 1024;
    }
}
