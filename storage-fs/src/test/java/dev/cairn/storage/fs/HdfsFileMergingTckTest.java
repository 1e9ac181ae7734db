package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.FileMergingTck;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/** Certifies file merging on the {@code hdfs://} store, on a real NameNode and DataNode. */
@ExtendWith(HdfsCluster.class)
class HdfsFileMergingTckTest extends FileMergingTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @Override
    protected BlobStore createBlobStore() {
        return BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG);
    }

    @Override
    protected String newBaseLocation() {
        return HdfsCluster.uri() + "/merging-tck/checkpoints-" + BASES.incrementAndGet();
    }
}
