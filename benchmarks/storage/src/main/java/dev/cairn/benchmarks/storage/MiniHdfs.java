package dev.cairn.benchmarks.storage;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * A real HDFS in the benchmark JVM: Hadoop's {@link MiniDFSCluster} with one NameNode and one DataNode on
 * 127.0.0.1, replication 1, its blocks under {@code baseDir} (as in storage-fs's tests).
 */
final class MiniHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;

    MiniHdfs(Path baseDir) throws IOException {
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
        conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
        cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile()).numDataNodes(1).format(true).build();
        cluster.waitActive();
    }

    /** {@code hdfs://127.0.0.1:<port>}. */
    String uri() {
        return "hdfs://127.0.0.1:" + cluster.getNameNodePort();
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }
}
