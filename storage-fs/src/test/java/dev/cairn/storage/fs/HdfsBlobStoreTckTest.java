package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Certifies the {@code hdfs://} store on a real NameNode and DataNode, obtained through its provider.
 * {@code ATOMIC_RENAME} holds: the NameNode refuses a rename onto an existing name atomically.
 */
@ExtendWith(HdfsCluster.class)
class HdfsBlobStoreTckTest extends BlobStoreTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG);
    }

    @Override
    protected String newBaseLocation() {
        return HdfsCluster.uri() + "/blob-tck/base-" + BASES.incrementAndGet() + "/";
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }
}
