package dev.cairn.storage.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.blob.SeekableInputStream;
import dev.cairn.blob.SupportsAppend;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An append to a file whose previous appender died with the file open: another HDFS client still holds its
 * lease and has written bytes beyond the committed length. The store must recover the lease, cut the tail
 * off and append at the committed length.
 */
@ExtendWith(HdfsCluster.class)
class HdfsAppendTest {
    private static final AtomicInteger BASES = new AtomicInteger();

    private BlobStore hdfs;
    private DistributedFileSystem killedWriter;
    private String base;

    @BeforeEach
    void open() throws IOException {
        hdfs = BlobStores.forLocation(HdfsCluster.uri() + "/", HdfsCluster.CLIENT_CONFIG);
        Configuration conf = new Configuration();
        HdfsCluster.CLIENT_CONFIG.forEach(conf::set);
        killedWriter = (DistributedFileSystem) FileSystem.newInstance(URI.create(HdfsCluster.uri() + "/"), conf);
        base = HdfsCluster.uri() + "/append/run-" + BASES.incrementAndGet() + "/";
    }

    @AfterEach
    void close() {
        hdfs.close();
        try {
            killedWriter.close();
        } catch (IOException e) {
            // Its stream lost the lease to the recovery, so closing it may fail: that writer is "dead".
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void appendRecoversTheLeaseOfAWriterThatDiedWithTheFileOpen() throws IOException {
        String location = base + "merged.bin";
        byte[] committed = bytes(5000, 1);
        try (BlobOutputStream out = hdfs.create(location)) {
            out.write(committed);
            out.commit();
        }
        Path path = new Path(URI.create(location));
        FSDataOutputStream dead = killedWriter.append(path);
        dead.write(bytes(3000, 2));
        dead.hflush();
        assertThat(killedWriter.isFileClosed(path)).as("the dead writer's file is still open").isFalse();

        byte[] appended = bytes(1200, 3);
        BlobInfo info;
        try (BlobOutputStream out = ((SupportsAppend) hdfs).append(location, committed.length)) {
            out.write(appended);
            info = out.commit();
        }

        assertThat(info).isEqualTo(new BlobInfo(location, committed.length + appended.length));
        assertThat(killedWriter.isFileClosed(path)).isTrue();
        byte[] expected = Arrays.copyOf(committed, committed.length + appended.length);
        System.arraycopy(appended, 0, expected, committed.length, appended.length);
        try (SeekableInputStream in = hdfs.open(location).newStream()) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }
}
