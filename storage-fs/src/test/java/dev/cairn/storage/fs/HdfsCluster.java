package dev.cairn.storage.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.log4j.ConsoleAppender;
import org.apache.log4j.Level;
import org.apache.log4j.LogManager;
import org.apache.log4j.PatternLayout;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process HDFS (a {@link MiniDFSCluster}: 1 NameNode, 1 DataNode, on 127.0.0.1) shared by every
 * test class of the run that is extended with it: started by the first, shut down when the run ends.
 */
public final class HdfsCluster implements BeforeAllCallback {
    private static volatile Running running;

    /**
     * Client options for stores in tests, passed through the provider's map like any Hadoop key: the
     * client polls the NameNode sooner for a file's completion (default 400 ms), which a test cluster
     * with one DataNode answers at once (1 ms: the coordinator tests of backend-rocksdb write many small files);
     * and it creates files with one replica, as many as there are DataNodes. With the client's default of 3, an
     * append finds its pipeline short of replicas and fails trying to add a DataNode the cluster does not have.
     */
    public static final java.util.Map<String, String> CLIENT_CONFIG = java.util.Map.of(
            "dfs.client.block.write.locateFollowingBlock.initial.delay.ms", "1",
            "dfs.replication", "1");

    /** {@code hdfs://127.0.0.1:<port>} of the running cluster. */
    public static String uri() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("the HDFS test cluster is not running; annotate the test class with "
                    + "@ExtendWith(HdfsCluster.class)");
        }
        return "hdfs://127.0.0.1:" + r.cluster.getNameNodePort();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.create(HdfsCluster.class))
                .getOrComputeIfAbsent(Running.class, k -> start(), Running.class);
    }

    private static Running start() {
        if (!LogManager.getRootLogger().getAllAppenders().hasMoreElements()) {
            LogManager.getRootLogger().addAppender(new ConsoleAppender(new PatternLayout("%d{HH:mm:ss} %p %c{1}: %m%n"),
                    ConsoleAppender.SYSTEM_ERR));
        }
        LogManager.getRootLogger().setLevel(Level.WARN);
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("cairn-minidfs");
        } catch (IOException e) {
            throw new UncheckedIOException("creating the MiniDFSCluster directory failed", e);
        }
        try {
            Configuration conf = new HdfsConfiguration();
            conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
            conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
            MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, baseDir.toFile())
                    .numDataNodes(1).format(true).build();
            cluster.waitActive();
            Running r = new Running(cluster, baseDir);
            running = r;
            return r;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(baseDir);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e instanceof IOException io ? new UncheckedIOException("starting MiniDFSCluster failed", io)
                    : (RuntimeException) e;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * The cluster and its directory; closed by JUnit at the end of the run. It is also a
     * {@code CloseableResource}, which every JUnit 5 version closes; closing twice is harmless.
     */
    @SuppressWarnings("deprecation")
    private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final MiniDFSCluster cluster;
        final Path baseDir;

        Running(MiniDFSCluster cluster, Path baseDir) {
            this.cluster = cluster;
            this.baseDir = baseDir;
        }

        @Override
        public synchronized void close() throws IOException {
            if (running != this) {
                return;
            }
            running = null;
            try {
                cluster.shutdown(true);
            } finally {
                deleteTree(baseDir);
            }
        }
    }
}
