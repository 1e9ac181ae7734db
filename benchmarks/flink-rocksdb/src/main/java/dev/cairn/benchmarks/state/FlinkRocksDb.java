package dev.cairn.benchmarks.state;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.state.AbstractStateBackend;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig;
import org.apache.flink.runtime.state.metrics.SizeTrackingStateConfig;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackendBuilder;
import org.apache.flink.state.rocksdb.RocksDBPriorityQueueConfig;
import org.apache.flink.state.rocksdb.RocksDBResourceContainer;

/**
 * Flink's {@code EmbeddedRocksDBStateBackend} keyed backend, built directly with
 * {@link RocksDBKeyedStateBackendBuilder} as apache/flink-benchmarks' {@code StateBackendBenchmarkUtils} does,
 * for key groups {@code [0, 1]} of a max parallelism of 2, with the backend's defaults: a
 * {@link RocksDBResourceContainer} of {@code PredefinedOptions.DEFAULT} and an empty configuration (so
 * {@code RocksDBConfigurableOptions}' defaults: 64 MiB memtables × 2, 4 KiB blocks, level compaction; no
 * options factory), the write-ahead log off (as Flink always runs it), RocksDB timers, no local recovery, latency
 * and size tracking off. One difference from a Flink task: without a TaskManager there is no managed memory, so
 * no shared block cache and write-buffer manager bound RocksDB's memory (a task would share ones sized from its
 * managed memory); RocksDB's own default block cache applies.
 */
final class FlinkRocksDb implements AutoCloseable {
    /** Max parallelism (number of key groups) of every backend of the suite. */
    static final int KEY_GROUPS = 2;

    private final Path directory;
    private final RocksDBResourceContainer resources;
    final RocksDBKeyedStateBackend<?> backend;

    private FlinkRocksDb(Path directory, RocksDBResourceContainer resources, RocksDBKeyedStateBackend<?> backend) {
        this.directory = directory;
        this.resources = resources;
        this.backend = backend;
    }

    /** A keyed backend for keys of {@code keySerializer}, its files in a fresh directory under java.io.tmpdir. */
    static <K> FlinkRocksDb open(TypeSerializer<K> keySerializer) {
        Path directory;
        try {
            directory = Files.createTempDirectory("flink-bench-rocksdb-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under java.io.tmpdir", e);
        }
        RocksDBResourceContainer resources = new RocksDBResourceContainer();
        ExecutionConfig config = new ExecutionConfig();
        File dbPath = directory.resolve("db").toFile();
        try {
            RocksDBKeyedStateBackend<K> backend = new RocksDBKeyedStateBackendBuilder<>("state-benchmark",
                    FlinkRocksDb.class.getClassLoader(), dbPath, resources, name -> resources.getColumnOptions(),
                    null, keySerializer, KEY_GROUPS, new KeyGroupRange(0, KEY_GROUPS - 1), config,
                    LocalRecoveryConfig.BACKUP_AND_RECOVERY_DISABLED,
                    RocksDBPriorityQueueConfig.buildWithPriorityQueueType(
                            EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB),
                    TtlTimeProvider.DEFAULT, LatencyTrackingStateConfig.disabled(), SizeTrackingStateConfig.disabled(),
                    new UnregisteredMetricsGroup(), (metric, value) -> { },
                    Collections.emptyList(), AbstractStateBackend.getCompressionDecorator(config),
                    new CloseableRegistry()).build();
            return new FlinkRocksDb(directory, resources, backend);
        } catch (Exception e) {
            try {
                resources.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            deleteRecursively(directory);
            throw new IllegalStateException("building Flink's RocksDB keyed backend failed: " + e, e);
        }
    }

    @SuppressWarnings("unchecked")
    <K> RocksDBKeyedStateBackend<K> keyed() {
        return (RocksDBKeyedStateBackend<K>) backend;
    }

    /** The state of {@code descriptor} in the void namespace, as flink-benchmarks obtains it. */
    <S extends State> S state(StateDescriptor<S, ?> descriptor) {
        try {
            return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
        } catch (Exception e) {
            throw new IllegalStateException("creating Flink state " + descriptor.getName() + " failed: " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            backend.dispose();
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing Flink's RocksDB backend failed: " + e, e);
        } finally {
            deleteRecursively(directory);
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
