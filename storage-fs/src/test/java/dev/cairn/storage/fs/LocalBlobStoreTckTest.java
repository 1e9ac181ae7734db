package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.BlobStoreTck;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Certifies the {@code file://} store, obtained the way applications get it: through its provider. */
class LocalBlobStoreTckTest extends BlobStoreTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @TempDir
    Path root;

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation(LocalBlobStore.toLocation(root), Map.of());
    }

    @Override
    protected String newBaseLocation() {
        return LocalBlobStore.toLocation(root.resolve("base-" + BASES.incrementAndGet())) + "/";
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }
}
