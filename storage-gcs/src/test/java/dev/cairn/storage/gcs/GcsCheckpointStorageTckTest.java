package dev.cairn.storage.gcs;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import dev.cairn.blob.BlobStore;
import dev.cairn.tck.CheckpointStorageTck;
import java.util.concurrent.atomic.AtomicInteger;

/** Certifies file checkpoint storage on {@link GcsBlobStore} over Google's {@code LocalStorageHelper} fake. */
class GcsCheckpointStorageTckTest extends CheckpointStorageTck {
    /** One fake per test instance, so that the bytes of finished rules can be collected. */
    private final Storage fake = LocalStorageHelper.customOptions(false).getService();
    private static final AtomicInteger BASES = new AtomicInteger();

    @Override
    protected BlobStore createBlobStore() {
        return new GcsBlobStore(fake, 256 * 1024, false);
    }

    @Override
    protected String newBaseLocation() {
        return "gs://checkpoint-bucket/checkpoints-" + BASES.incrementAndGet();
    }
}
