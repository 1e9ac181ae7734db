package dev.cairn.backend.rocksdb.hdfs;

import dev.cairn.backend.rocksdb.CoordinatorFaultTestBase;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.storage.fs.HdfsCluster;
import dev.cairn.tck.FaultInjectingBlobStore;
import dev.cairn.tck.FaultInjectingBlobStore.Op;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CoordinatorFaultTestBase} on {@code hdfs://} (MiniDFSCluster): the failed upload is a failed write of
 * a shared SST, and the raw listing is Hadoop's, temporary files included.
 */
@ExtendWith(HdfsCluster.class)
class HdfsCoordinatorFaultTest extends CoordinatorFaultTestBase {
    private static final AtomicInteger RUNS = new AtomicInteger();

    private FileSystem raw;

    HdfsCoordinatorFaultTest() {
        super("HDFS", 2000, 200);
    }

    @Override
    protected BlobStore openStore() throws IOException {
        raw = FileSystem.newInstance(URI.create(HdfsCluster.uri() + "/"), new Configuration());
        return BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG);
    }

    @AfterEach
    void closeRaw() throws IOException {
        raw.close();
    }

    @Override
    protected String newCheckpointDirectory() {
        return HdfsCluster.uri() + "/coordinator-faults/run-" + RUNS.incrementAndGet();
    }

    @Override
    protected void failOneSharedUpload(FaultInjectingBlobStore faulty, Predicate<String> shared) {
        faulty.failNth(Op.WRITE, 3, shared);
    }

    @Override
    protected Set<String> rawFiles(String directory) throws IOException {
        Set<String> files = new TreeSet<>();
        String prefix = directory.substring(HdfsCluster.uri().length());
        RemoteIterator<LocatedFileStatus> it = raw.listFiles(new Path(URI.create(directory)), true);
        while (it.hasNext()) {
            files.add(it.next().getPath().toUri().getPath().substring(prefix.length()));
        }
        return files;
    }

    @Override
    protected byte[] readRaw(String location) throws IOException {
        Path path = new Path(URI.create(location));
        byte[] bytes = new byte[(int) raw.getFileStatus(path).getLen()];
        try (FSDataInputStream in = raw.open(path)) {
            in.readFully(0, bytes);
        }
        return bytes;
    }

    @Override
    protected void writeRaw(String location, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = raw.create(new Path(URI.create(location)), true)) {
            out.write(bytes);
        }
    }
}
