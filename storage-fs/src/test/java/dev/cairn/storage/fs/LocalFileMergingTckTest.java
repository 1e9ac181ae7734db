package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.tck.FileMergingTck;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** Certifies file merging on the {@code file://} store. */
class LocalFileMergingTckTest extends FileMergingTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @TempDir
    Path root;

    @Override
    protected BlobStore createBlobStore() {
        return new LocalBlobStore();
    }

    @Override
    protected String newBaseLocation() {
        return LocalBlobStore.toLocation(root.resolve("checkpoints-" + BASES.incrementAndGet()));
    }
}
