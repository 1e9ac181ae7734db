package dev.cairn.benchmarks.snapshot;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.benchmarks.common.SnapshotBackend;
import dev.cairn.benchmarks.common.SnapshotResult;
import dev.cairn.benchmarks.common.SnapshotSystem;
import dev.cairn.benchmarks.common.SnapshotWorkload;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;

/**
 * A Cairn backend ({@code memory} or {@code rocksdb}, default options) writing its snapshots through
 * {@link FileCheckpointStorage} on {@code file://} into a temporary directory; {@link #close()} deletes it.
 * Shared files of incremental checkpoints are kept until then (nothing is subsumed), so every snapshot stays
 * restorable.
 */
public final class CairnSnapshotSystem implements SnapshotSystem {
    private static final ValueStateDescriptor<byte[]> STATE =
            new ValueStateDescriptor<>(SnapshotWorkload.STATE_NAME, Serializers.BYTES);

    private final Path directory;
    private final BlobStore store;
    private final FileCheckpointStorage storage;
    private final StateBackend backend;
    private int nextLocal;

    /**
     * Cairn's {@code rocksdb} options in the snapshot and restore suites: 64 MiB memtables, 2 per column family, and
     * a 64 MiB block cache (the state suite's settings), closer to Flink's 512 MiB of managed memory here than Cairn's
     * 32 MiB default budget.
     */
    static final Map<String, String> ROCKSDB_OPTIONS = Map.of("write-buffer-size", "64mb",
            "max-write-buffer-number", "2", "block-cache-size", "64mb");

    /** @param backendName {@code memory} or {@code rocksdb} */
    public CairnSnapshotSystem(String backendName) {
        this.directory = SnapshotWorkload.createTempDirectory("cairn-bench-" + backendName + "-");
        this.store = BlobStores.forLocation(LocalBlobStore.toLocation(directory), Map.of());
        this.storage = new FileCheckpointStorage(store, LocalBlobStore.toLocation(directory.resolve("checkpoints")),
                "bench");
        this.backend = StateBackends.create(backendName, backendName.equals("rocksdb") ? ROCKSDB_OPTIONS : Map.of());
    }

    @Override
    public SnapshotBackend create(int firstKeyGroup, int lastKeyGroup, List<Object> restoreFrom) {
        List<KeyedStateHandle> handles = new ArrayList<>(restoreFrom.size());
        for (Object h : restoreFrom) {
            handles.add((KeyedStateHandle) h);
        }
        Path local;
        try {
            local = Files.createDirectories(directory.resolve("local-" + nextLocal++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KeyedStateBackend<Long> keyed = backend.createKeyedBackend(new KeyedBackendParameters<>("bench",
                Serializers.LONG, SnapshotWorkload.MAX_PARALLELISM, KeyGroupRange.of(firstKeyGroup, lastKeyGroup),
                local, storage), handles);
        return new Backend(keyed);
    }

    @Override
    public int keyGroupOf(long key) {
        return KeyGroups.keyGroupOf(key, SnapshotWorkload.MAX_PARALLELISM);
    }

    @Override
    public void close() {
        try {
            storage.close();
            store.close();
        } finally {
            SnapshotWorkload.deleteRecursively(directory);
        }
    }

    private final class Backend implements SnapshotBackend {
        private final KeyedStateBackend<Long> keyed;
        private final ValueState<byte[]> state;

        Backend(KeyedStateBackend<Long> keyed) {
            this.keyed = keyed;
            this.state = keyed.getState(STATE);
        }

        @Override
        public void put(long key, byte[] value) {
            keyed.setCurrentKey(key);
            state.update(value);
        }

        @Override
        public byte[] get(long key) {
            keyed.setCurrentKey(key);
            return state.value();
        }

        @Override
        public SnapshotResult snapshot(long checkpointId, boolean full) {
            var location = storage.initializeLocation(checkpointId);
            long start = System.nanoTime();
            RunnableFuture<KeyedStateHandle> future = keyed.snapshot(checkpointId,
                    full ? SnapshotType.FULL_CHECKPOINT : SnapshotType.CHECKPOINT, location);
            long synced = System.nanoTime();
            future.run();
            KeyedStateHandle handle;
            try {
                handle = future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("snapshot " + checkpointId + " failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            long done = System.nanoTime();
            Map<String, Long> sst = new LinkedHashMap<>();
            if (handle instanceof IncrementalKeyedStateHandle incremental) {
                for (Map.Entry<String, StreamStateHandle> e : incremental.sharedState().entrySet()) {
                    if (e.getKey().endsWith(".sst")) {
                        sst.put(e.getKey(), e.getValue().stateSize());
                    }
                }
            }
            return new SnapshotResult(handle, synced - start, done - start, handle.checkpointedSize(), sst);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            keyed.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void close() {
            keyed.close();
        }
    }
}
