package dev.cairn.storage.fs;

import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.tck.BlobStoreTck;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Certifies the {@code viewfs://} store: a client-side mount table, configured only through the provider's
 * map, that maps {@code viewfs://cairn/data} onto a directory of the test HDFS. Renames go to that HDFS,
 * which refuses one onto an existing name atomically, hence {@code ATOMIC_RENAME}.
 */
@ExtendWith(HdfsCluster.class)
class HadoopViewFsBlobStoreTckTest extends BlobStoreTck {
    private static final AtomicInteger BASES = new AtomicInteger();

    @Override
    protected BlobStore createBlobStore() {
        Map<String, String> config = new HashMap<>(HdfsCluster.CLIENT_CONFIG);
        config.put("fs.viewfs.mounttable.cairn.link./data", HdfsCluster.uri() + "/viewfs-data");
        return BlobStores.forLocation("viewfs://cairn/data/", config);
    }

    @Override
    protected String newBaseLocation() {
        return "viewfs://cairn/data/base-" + BASES.incrementAndGet() + "/";
    }

    @Override
    protected Set<Capability> capabilities() {
        return EnumSet.of(Capability.ATOMIC_RENAME);
    }
}
