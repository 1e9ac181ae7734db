package dev.cairn.benchmarks.filemerging;

import dev.cairn.backend.rocksdb.CountingBlobStore;
import dev.cairn.backend.rocksdb.FileMergingChurn;
import dev.cairn.backend.rocksdb.RocksDbOptions;
import dev.cairn.benchmarks.common.Profile;
import dev.cairn.benchmarks.common.Systems;
import dev.cairn.benchmarks.storage.S3ProxyServer;
import dev.cairn.benchmarks.storage.StorageThroughputBenchmark;
import dev.cairn.filemerging.FileMergingOptions;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.log4j.LogManager;

/**
 * The checkpoint storage of one trial of the file merging suite: Cairn's {@link FileCheckpointStorage} on
 * {@code file://} or on S3Proxy (in this JVM, 127.0.0.1) with file merging off, within or across checkpoints
 * ({@code system}), its blob store wrapped in a {@link CountingBlobStore}, and the churn workload's
 * {@link FileMergingChurn.Spec} sized by the {@link Profile}. Everything lives in a temporary directory below
 * {@value StorageThroughputBenchmark#DIR_PROPERTY} that {@link #close} deletes.
 */
final class ChurnStorage implements AutoCloseable {
    /** The {@code storage} parameter: a local directory. */
    static final String FILE = "file";
    /** The {@code storage} parameter: S3Proxy on 127.0.0.1. */
    static final String S3 = "s3";
    /** Subtasks of the keyed sink, as in backend-rocksdb's acceptance test. */
    static final int PARALLELISM = 16;

    final Path work;
    final FileCheckpointStorage storage;
    final CountingBlobStore counter;
    private final S3ProxyServer s3;

    ChurnStorage(String system, String storageKind) throws Exception {
        LogManager.getRootLogger().setLevel(org.apache.log4j.Level.ERROR);
        Path base = Path.of(System.getProperty(StorageThroughputBenchmark.DIR_PROPERTY,
                System.getProperty("java.io.tmpdir")));
        Files.createDirectories(base);
        work = Files.createTempDirectory(base, "cairn-file-merging-bench-");
        Map<String, String> config = new HashMap<>(merging(system));
        String location;
        S3ProxyServer server = null;
        try {
            switch (storageKind) {
                case FILE:
                    location = LocalBlobStore.toLocation(work.resolve("checkpoints"));
                    break;
                case S3:
                    server = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
                    config.putAll(server.providerConfig());
                    location = "s3://" + S3ProxyServer.BUCKET + "/churn";
                    break;
                default:
                    throw new IllegalArgumentException("unknown storage '" + storageKind + "' (use file or s3)");
            }
            AtomicReference<CountingBlobStore> counting = new AtomicReference<>();
            storage = (FileCheckpointStorage) CheckpointStorages.create(location, "churn", config, real -> {
                counting.set(CountingBlobStore.wrap(real));
                return counting.get().store();
            });
            counter = counting.get();
            s3 = server;
        } catch (Exception | Error e) {
            if (server != null) {
                server.close();
            }
            StorageThroughputBenchmark.deleteTree(work);
            throw e;
        }
    }

    /** The {@code checkpoint.file-merging.*} options of a system of this suite. */
    static Map<String, String> merging(String system) {
        switch (system) {
            case Systems.CAIRN_MERGING_OFF:
                return Map.of();
            case Systems.CAIRN_MERGING_WITHIN:
                return Map.of(FileMergingOptions.ENABLED, "true");
            case Systems.CAIRN_MERGING_ACROSS:
                return Map.of(FileMergingOptions.ENABLED, "true", FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY, "true");
            default:
                throw new IllegalArgumentException("unknown system '" + system + "' for the file merging suite");
        }
    }

    /**
     * The churn job of backend-rocksdb's acceptance tests (16 sink subtasks, 4 source subtasks over 16 splits, one
     * retained checkpoint, 128 KiB RocksDB write buffers) with the profile's keys and events, for
     * {@code checkpoints} checkpoints.
     */
    static FileMergingChurn.Spec spec(Profile profile, int checkpoints) {
        return new FileMergingChurn.Spec(PARALLELISM, 4, 16, checkpoints, profile.churnEventsPerSplit,
                profile.churnKeysPerSplit, 1, Map.of(RocksDbOptions.WRITE_BUFFER_SIZE, "128kb",
                        RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "2"));
    }

    /** S3 HTTP requests so far (0 on {@code file://}). */
    long requests() {
        return s3 == null ? 0 : S3RequestCounter.requests();
    }

    /** A fresh directory for a run's RocksDB instances. */
    Path localDirectory(String name) throws IOException {
        return Files.createDirectories(work.resolve("local").resolve(name));
    }

    @Override
    public void close() throws Exception {
        try {
            storage.close();
        } finally {
            if (s3 != null) {
                s3.close();
            }
            StorageThroughputBenchmark.deleteTree(work);
        }
    }
}
