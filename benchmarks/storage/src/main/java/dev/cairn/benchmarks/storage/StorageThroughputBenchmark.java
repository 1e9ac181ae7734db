package dev.cairn.benchmarks.storage;

import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.log4j.LogManager;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Storage throughput: one checkpoint file of {@link Profile#storageFileBytes} random bytes (generated once per
 * trial, the same for every system) written durably and read back through each blob provider, next to Flink's own
 * checkpoint stream and a plain {@code FileChannel} on the same local disk. One shot writes (or reads) the whole
 * file, so the score is the time per file; {@code bytesWritten} / {@code bytesRead} give MiB/s.
 *
 * <p>Every system receives the bytes in {@value StorageTarget#CHUNK}-byte write calls and reads them into a
 * {@value StorageTarget#CHUNK}-byte array; the providers that buffer use {@value #BUFFER_SIZE}-byte buffers (larger
 * writes go straight through). Each write shot uses a fresh file name and deletes the file after the shot; each read
 * shot reads a file written (untimed) just before it, so reads of local files come mostly from the page cache, for
 * every system alike. Files, HDFS blocks and S3 objects go below {@value #DIR_PROPERTY} (default
 * {@code java.io.tmpdir}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2)
@Measurement(iterations = 5)
public class StorageThroughputBenchmark {
    /** Buffer size of the Cairn {@code file://} store and Flink's checkpoint stream (both write larger calls through). */
    public static final int BUFFER_SIZE = LocalBlobStore.DEFAULT_BUFFER_SIZE;
    /** System property naming the directory the benchmark writes under. */
    public static final String DIR_PROPERTY = "cairn.bench.dir";

    @Param({Systems.CAIRN_FILE, Systems.CAIRN_HDFS, Systems.CAIRN_S3, Systems.FLINK_FS, Systems.RAW_FILECHANNEL})
    public String system;

    private Path work;
    private byte[] data;
    private byte[] readBuffer;
    private StorageTarget target;
    private int shots;

    @Setup(Level.Trial)
    public void start() throws Exception {
        LogManager.getRootLogger().setLevel(org.apache.log4j.Level.ERROR);
        data = new byte[Math.toIntExact(Profile.current().storageFileBytes)];
        new Random(42).nextBytes(data);
        readBuffer = new byte[StorageTarget.CHUNK];
        Path base = Path.of(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        work = Files.createTempDirectory(base, "cairn-storage-bench-");
        target = open(system, work);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        try (StorageTarget t = target) {
            target = null;
        } finally {
            deleteTree(work);
        }
    }

    /** A fresh file name for the next write; the shot states call it. */
    String nextName() {
        return "shot-" + (++shots) + ".bin";
    }

    /** Writes the whole file through the system under test, including its durability step. */
    @Benchmark
    public void write(WriteShot shot, WriteCounters counters) throws Exception {
        shot.location = target.write(shot.name, data);
        counters.bytesWritten += data.length;
    }

    /** Reads the whole file written before the shot. */
    @Benchmark
    public long read(ReadShot shot, ReadCounters counters) throws Exception {
        long n = target.read(shot.location, readBuffer);
        if (n != data.length) {
            throw new IllegalStateException(system + " read " + n + " of " + data.length + " bytes");
        }
        counters.bytesRead += n;
        return n;
    }

    /** Names the file a write shot creates, and deletes it after the shot. */
    @State(Scope.Thread)
    public static class WriteShot {
        String name;
        String location;

        @Setup(Level.Iteration)
        public void name(StorageThroughputBenchmark benchmark) {
            name = benchmark.nextName();
            location = null;
        }

        @TearDown(Level.Iteration)
        public void delete(StorageThroughputBenchmark benchmark) throws Exception {
            if (location != null) {
                benchmark.target.delete(location);
                location = null;
            }
        }
    }

    /** Writes, untimed, the file a read shot reads, and deletes it after the shot. */
    @State(Scope.Thread)
    public static class ReadShot {
        String location;

        @Setup(Level.Iteration)
        public void write(StorageThroughputBenchmark benchmark) throws Exception {
            location = benchmark.target.write(benchmark.nextName(), benchmark.data);
        }

        @TearDown(Level.Iteration)
        public void delete(StorageThroughputBenchmark benchmark) throws Exception {
            if (location != null) {
                benchmark.target.delete(location);
                location = null;
            }
        }
    }

    /** Bytes written in the iteration, reported as the secondary metric {@code bytesWritten}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class WriteCounters {
        public long bytesWritten;

        @Setup(Level.Iteration)
        public void reset() {
            bytesWritten = 0;
        }
    }

    /** Bytes read in the iteration, reported as the secondary metric {@code bytesRead}. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ReadCounters {
        public long bytesRead;

        @Setup(Level.Iteration)
        public void reset() {
            bytesRead = 0;
        }
    }

    private static StorageTarget open(String system, Path work) throws Exception {
        switch (system) {
            case Systems.CAIRN_FILE:
                return new BlobStoreTarget(new LocalBlobStore(LocalBlobStore.PublishMode.HARD_LINK, BUFFER_SIZE),
                        LocalBlobStore.toLocation(work.resolve("cairn-file")) + "/", null);
            case Systems.CAIRN_HDFS: {
                MiniHdfs hdfs = new MiniHdfs(work.resolve("dfs"));
                return withServer(hdfs, () -> new BlobStoreTarget(
                        BlobStores.forLocation(hdfs.uri() + "/", Map.of()), hdfs.uri() + "/bench/", hdfs));
            }
            case Systems.CAIRN_S3: {
                S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
                return withServer(s3, () -> {
                    BlobStore store = BlobStores.create("s3", s3.providerConfig());
                    return new BlobStoreTarget(store, "s3://" + S3ProxyServer.BUCKET + "/bench/", s3);
                });
            }
            case Systems.FLINK_FS:
                return new FlinkFsTarget(work.resolve("flink"), BUFFER_SIZE);
            case Systems.RAW_FILECHANNEL:
                return new FileChannelTarget(Files.createDirectories(work.resolve("raw")));
            default:
                throw new IllegalArgumentException("unknown system '" + system + "' for the storage suite");
        }
    }

    private interface TargetFactory {
        StorageTarget create() throws Exception;
    }

    private static StorageTarget withServer(AutoCloseable server, TargetFactory factory) throws Exception {
        try {
            return factory.create();
        } catch (Exception | Error e) {
            try {
                server.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Deletes {@code dir} and everything below it, if it exists; also used by the file merging suite. */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
