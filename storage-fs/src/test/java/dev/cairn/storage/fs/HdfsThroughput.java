package dev.cairn.storage.fs;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DFSConfigKeys;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.log4j.Level;
import org.apache.log4j.LogManager;

/**
 * Prints the write throughput of one 256 MiB blob committed to HDFS (a {@link MiniDFSCluster} with one
 * DataNode on this machine) next to a plain {@link FileChannel} write plus force of the same bytes to a
 * local file, measured in the same run. A measurement, not a test: surefire does not run it. Arguments:
 * size in MiB (default 256) and rounds (default 3).
 */
public final class HdfsThroughput {
    private static final int MIB = 1024 * 1024;

    private HdfsThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int sizeMib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        LogManager.getRootLogger().setLevel(Level.ERROR);
        byte[] data = new byte[sizeMib * MIB];
        new Random(42).nextBytes(data);
        Path work = Files.createTempDirectory("cairn-throughput");
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("dfs").toString());
        conf.setInt(DFSConfigKeys.DFS_REPLICATION_KEY, 1);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, work.resolve("dfs").toFile()).numDataNodes(1).build();
        try {
            cluster.waitActive();
            String root = "hdfs://127.0.0.1:" + cluster.getNameNodePort() + "/throughput/";
            double[] local = new double[rounds];
            double[] hdfs = new double[rounds];
            try (BlobStore store = BlobStores.forLocation(root, Map.of())) {
                for (int r = 0; r < rounds; r++) {
                    local[r] = mibPerSecond(sizeMib, localCopy(work.resolve("local-" + r + ".bin"), data));
                    hdfs[r] = mibPerSecond(sizeMib, hdfsWrite(store, root + "blob-" + r + ".bin", data));
                    Files.delete(work.resolve("local-" + r + ".bin"));
                    store.delete(root + "blob-" + r + ".bin");
                }
            }
            System.out.printf("%d MiB, %d rounds, MiB/s (median, best):%n", sizeMib, rounds);
            System.out.printf("  local FileChannel write + force : %8.1f %8.1f%n", median(local), max(local));
            System.out.printf("  hdfs (MiniDFSCluster) commit    : %8.1f %8.1f%n", median(hdfs), max(hdfs));
        } finally {
            cluster.shutdown(true);
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long localCopy(Path file, byte[] data) throws IOException {
        long start = System.nanoTime();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int off = 0; off < data.length; off += MIB) {
                ByteBuffer chunk = ByteBuffer.wrap(data, off, Math.min(MIB, data.length - off));
                while (chunk.hasRemaining()) {
                    channel.write(chunk);
                }
            }
            channel.force(true);
        }
        return System.nanoTime() - start;
    }

    private static long hdfsWrite(BlobStore store, String location, byte[] data) {
        long start = System.nanoTime();
        try (BlobOutputStream out = store.create(location)) {
            for (int off = 0; off < data.length; off += MIB) {
                out.write(data, off, Math.min(MIB, data.length - off));
            }
            out.commit();
        }
        return System.nanoTime() - start;
    }

    private static double mibPerSecond(int mib, long nanos) {
        return mib / (nanos / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}
