package dev.cairn.benchmarks.state;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.backend.rocksdb.RocksDbOptions;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.serialization.TypeSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.state.AbstractStateBackend;
import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackendBuilder;
import org.apache.flink.runtime.state.heap.HeapPriorityQueueSetFactory;
import org.apache.flink.runtime.state.metrics.LatencyTrackingStateConfig;
import org.apache.flink.runtime.state.metrics.SizeTrackingStateConfig;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;

/**
 * Builds the keyed backends the state suite compares, each directly (no job, no cluster), for one subtask that
 * owns every key group of a max parallelism of {@link #KEY_GROUPS} — the key-group range apache/flink-benchmarks'
 * {@code StateBackendBenchmarkUtils} uses ({@code KeyGroupRange(0, 1)}, two key groups).
 */
final class Backends {
    /** Max parallelism (number of key groups) of every backend of the suite. */
    static final int KEY_GROUPS = 2;

    /**
     * Cairn's {@code rocksdb} options in the state suite, also used by the {@code raw-rocksdbjni} ceiling: 64 MiB
     * memtables, 2 per column family, as Flink's {@code EmbeddedRocksDBStateBackend} has when built without a task
     * manager's memory cap, and a 64 MiB block cache. Cairn's defaults (32 MiB in all) bound native memory for many
     * small backends per process; with them the pre-loaded state no longer fits in memtables and reads go to
     * level-0 files while compaction catches up, so the comparison would be of memory budgets, not of backends.
     */
    static final Map<String, String> ROCKSDB_OPTIONS = Map.of(RocksDbOptions.WRITE_BUFFER_SIZE, "64mb",
            RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "2", RocksDbOptions.BLOCK_CACHE_SIZE, "64mb");

    private Backends() {
    }

    /**
     * A Cairn keyed backend of the backend named {@code name} ({@code memory} with its defaults, or {@code rocksdb}
     * with {@link #ROCKSDB_OPTIONS}), found through {@link StateBackends} as a user finds it; nothing restored.
     */
    static <K> KeyedStateBackend<K> cairn(String name, TypeSerializer<K> keySerializer, Path localDirectory) {
        KeyedBackendParameters<K> parameters = new KeyedBackendParameters<>("state-benchmark", keySerializer,
                KEY_GROUPS, new KeyGroupRange(0, KEY_GROUPS - 1), localDirectory, handle -> {
                    throw new IllegalStateException("the state benchmarks restore nothing, asked for " + handle);
                });
        Map<String, String> options = name.equals("rocksdb") ? ROCKSDB_OPTIONS : Map.of();
        return StateBackends.create(name, options).createKeyedBackend(parameters, List.of());
    }

    /**
     * Flink's {@code HashMapStateBackend} keyed backend, built with the same builder and arguments that
     * {@code HashMapStateBackend.createKeyedStateBackend} passes (asynchronous copy-on-write snapshots, latency
     * and size tracking off, no local recovery), minus the task environment it would read them from.
     */
    static <K> org.apache.flink.runtime.state.KeyedStateBackend<K> flinkHeap(
            org.apache.flink.api.common.typeutils.TypeSerializer<K> keySerializer) {
        org.apache.flink.runtime.state.KeyGroupRange range =
                new org.apache.flink.runtime.state.KeyGroupRange(0, KEY_GROUPS - 1);
        ExecutionConfig config = new ExecutionConfig();
        try {
            return new HeapKeyedStateBackendBuilder<>(null, keySerializer, Backends.class.getClassLoader(),
                    KEY_GROUPS, range, config, TtlTimeProvider.DEFAULT, LatencyTrackingStateConfig.disabled(),
                    SizeTrackingStateConfig.disabled(), Collections.emptyList(),
                    AbstractStateBackend.getCompressionDecorator(config),
                    LocalRecoveryConfig.BACKUP_AND_RECOVERY_DISABLED,
                    new HeapPriorityQueueSetFactory(range, KEY_GROUPS, 128), true, new CloseableRegistry())
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException("building Flink's heap keyed backend failed: " + e, e);
        }
    }

    /** A fresh directory under {@code java.io.tmpdir}. */
    static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory under java.io.tmpdir", e);
        }
    }

    /** Deletes {@code dir} and everything in it; a missing directory is not an error. */
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
