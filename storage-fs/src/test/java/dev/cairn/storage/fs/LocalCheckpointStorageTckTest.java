package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.CheckpointStorageTck;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Certifies file checkpoint storage on the {@code file://} store, obtained through its provider. */
class LocalCheckpointStorageTckTest extends CheckpointStorageTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @TempDir
    Path root;

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation(LocalBlobStore.toLocation(root), Map.of());
    }

    @Override
    protected String newBaseLocation() {
        return LocalBlobStore.toLocation(root.resolve("checkpoints-" + BASES.incrementAndGet()));
    }
}
