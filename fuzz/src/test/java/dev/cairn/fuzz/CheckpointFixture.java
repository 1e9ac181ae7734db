package dev.cairn.fuzz;

import dev.cairn.backend.KeyedBackendParameters;
import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.OperatorBackendParameters;
import dev.cairn.backend.OperatorStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.BlobStores;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.coordinator.StateAssignment;
import dev.cairn.runtime.coordinator.SubtaskRestoreState;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.runtime.storage.FileCheckpointStorageOptions;
import dev.cairn.serialization.Serializers;
import dev.cairn.state.BroadcastState;
import dev.cairn.state.ListState;
import dev.cairn.state.ListStateDescriptor;
import dev.cairn.state.MapState;
import dev.cairn.state.MapStateDescriptor;
import dev.cairn.state.ValueState;
import dev.cairn.state.ValueStateDescriptor;
import dev.cairn.storage.fs.LocalBlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;

/**
 * Real checkpoints of one job directory on {@code file://}: operator {@code op} at parallelism 2 with keyed state
 * (value, list and map state) of the {@code memory} or {@code rocksdb} backend and operator state (split, union and
 * broadcast) of the operator backend, written through {@link FileCheckpointStorage} over {@link LocalBlobStore} and
 * finalized with their {@code _metadata}. Checkpoint 1, confirmed, then checkpoint 2 after more writes: on RocksDB
 * checkpoint 2 is incremental and shares checkpoint 1's SST files. {@link #restore} goes the way the runtime does:
 * storage {@code resolve}, {@link StateAssignment}, then the backends' create-with-restore, and reads every state
 * back into a digest.
 */
final class CheckpointFixture implements AutoCloseable {
    static final String OPERATOR = "op";
    static final int PARALLELISM = 2;
    static final int MAX_PARALLELISM = 128;
    static final int KEYS = 600;
    static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("value", Serializers.STRING);
    static final ListStateDescriptor<Long> LIST = new ListStateDescriptor<>("list", Serializers.LONG);
    static final MapStateDescriptor<Integer, byte[]> MAP = new MapStateDescriptor<>("map", Serializers.INT,
            Serializers.BYTES);
    static final ListStateDescriptor<String> SPLIT = new ListStateDescriptor<>("offsets", Serializers.STRING);
    static final ListStateDescriptor<Long> UNION = new ListStateDescriptor<>("watermarks", Serializers.LONG);
    static final MapStateDescriptor<String, String> BROADCAST = new MapStateDescriptor<>("rules", Serializers.STRING,
            Serializers.STRING);

    private final Path directory;
    private final String backendName;
    private final Map<String, String> backendConfig;
    private final BlobStore store;
    private final FileCheckpointStorage storage;
    private final List<Path> restoreDirectories = new ArrayList<>();
    private int nextLocal;

    /**
     * @param inlineThreshold state smaller than this goes into {@code _metadata}; 1 writes every non-empty stream
     *                        as a file
     */
    CheckpointFixture(Path directory, String backendName, int inlineThreshold) {
        this.directory = directory;
        this.backendName = backendName;
        this.backendConfig = Map.of();
        this.store = BlobStores.forLocation(LocalBlobStore.toLocation(directory), Map.of());
        this.storage = new FileCheckpointStorage(store, LocalBlobStore.toLocation(directory.resolve("checkpoints")),
                "job", FileCheckpointStorageOptions.builder().inlineThreshold(inlineThreshold).build());
    }

    FileCheckpointStorage storage() {
        return storage;
    }

    Path checkpointsDirectory() {
        return directory.resolve("checkpoints");
    }

    /**
     * Takes checkpoints 1 (confirmed) and 2 with state derived from {@code round} and returns both, oldest first.
     * Values depend on {@code round} only in their content, never in their length, so two fixtures of different
     * rounds write files of the same sizes.
     */
    List<CompletedCheckpoint> takeCheckpoints(int round) {
        StateBackend backend = StateBackends.create(backendName, backendConfig);
        List<KeyedStateBackend<Long>> keyed = new ArrayList<>();
        List<OperatorStateBackend> operators = new ArrayList<>();
        try {
            for (int i = 0; i < PARALLELISM; i++) {
                KeyGroupRange range = KeyGroups.rangeForSubtask(MAX_PARALLELISM, PARALLELISM, i);
                keyed.add(backend.createKeyedBackend(new KeyedBackendParameters<>(OPERATOR, Serializers.LONG,
                        MAX_PARALLELISM, range, newLocalDirectory(), storage), List.of()));
                operators.add(backend.createOperatorBackend(new OperatorBackendParameters(OPERATOR, i, storage),
                        List.of()));
            }
            write(keyed, operators, 0, KEYS, round);
            CompletedCheckpoint first = checkpoint(1, keyed, operators);
            write(keyed, operators, KEYS / 2, KEYS + KEYS / 3, round + 1);
            CompletedCheckpoint second = checkpoint(2, keyed, operators);
            return List.of(first, second);
        } finally {
            keyed.forEach(KeyedStateBackend::close);
            operators.forEach(OperatorStateBackend::close);
        }
    }

    private CompletedCheckpoint checkpoint(long id, List<KeyedStateBackend<Long>> keyed,
            List<OperatorStateBackend> operators) {
        CheckpointStorageLocation location = storage.initializeLocation(id);
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (int i = 0; i < PARALLELISM; i++) {
            KeyedStateHandle k = run(keyed.get(i).snapshot(id, SnapshotType.CHECKPOINT, location));
            OperatorStateHandle o = run(operators.get(i).snapshot(id, SnapshotType.CHECKPOINT, location));
            subtasks.add(new SubtaskSnapshot(i, List.of(k), o == null ? List.of() : List.of(o), false));
        }
        CompletedCheckpoint completed = location.finalizeCheckpoint(new CheckpointMetadata(id, 1_700_000_000_000L + id,
                List.of(new OperatorSnapshot(OPERATOR, PARALLELISM, MAX_PARALLELISM, subtasks))));
        for (int i = 0; i < PARALLELISM; i++) {
            keyed.get(i).notifyCheckpointComplete(id);
            operators.get(i).notifyCheckpointComplete(id);
        }
        return completed;
    }

    private static void write(List<KeyedStateBackend<Long>> keyed, List<OperatorStateBackend> operators, long from,
            long to, int round) {
        for (long k = from; k < to; k++) {
            int group = KeyGroups.keyGroupOf(k, MAX_PARALLELISM);
            KeyedStateBackend<Long> b = keyed.get(KeyGroups.subtaskForKeyGroup(MAX_PARALLELISM, PARALLELISM, group));
            b.setCurrentKey(k);
            ValueState<String> value = b.getState(VALUE);
            value.update(String.format("value-%06d-round-%03d", k, round));
            ListState<Long> list = b.getState(LIST);
            list.add(k * 1000 + round);
            MapState<Integer, byte[]> map = b.getState(MAP);
            map.put((int) (k % 7), payload(k, round));
        }
        for (int i = 0; i < operators.size(); i++) {
            OperatorStateBackend o = operators.get(i);
            o.getListState(SPLIT).add(String.format("split-%d-at-%06d-round-%03d", i, to, round));
            o.getUnionListState(UNION).add(to * 10 + i);
            BroadcastState<String, String> rules = o.getBroadcastState(BROADCAST);
            rules.put("rule-" + (to % 5), String.format("threshold-%06d-round-%03d", to, round));
        }
    }

    /** 64 bytes: a fixed pattern with the key and the round written into it (compresses to the same length). */
    static byte[] payload(long key, int round) {
        byte[] bytes = new byte[64];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + (i % 13));
        }
        bytes[3] = (byte) key;
        bytes[4] = (byte) (key >>> 8);
        bytes[9] = (byte) round;
        return bytes;
    }

    /**
     * Resolves {@code pointer} through the storage and restores every subtask of {@code op} in fresh backends, as
     * the runtime does; returns a digest of all state read back. Throws whatever resolve or restore throws.
     */
    String restore(String pointer) {
        restoreDirectories.clear();
        CompletedCheckpoint checkpoint = storage.resolve(pointer);
        List<SubtaskRestoreState> assigned = StateAssignment.assign(checkpoint.metadata(), OPERATOR, PARALLELISM,
                MAX_PARALLELISM);
        StateBackend backend = StateBackends.create(backendName, backendConfig);
        StringBuilder digest = new StringBuilder();
        for (int i = 0; i < assigned.size(); i++) {
            SubtaskRestoreState s = assigned.get(i);
            Path local = newLocalDirectory();
            restoreDirectories.add(local);
            try (KeyedStateBackend<Long> k = backend.createKeyedBackend(new KeyedBackendParameters<>(OPERATOR,
                    Serializers.LONG, MAX_PARALLELISM, s.keyGroupRange(), local, storage),
                    s.keyedState());
                    OperatorStateBackend o = backend.createOperatorBackend(new OperatorBackendParameters(OPERATOR, i,
                            storage), s.operatorState())) {
                digest.append(digest(k)).append(digest(o));
            }
        }
        return digest.toString();
    }

    private static String digest(KeyedStateBackend<Long> b) {
        StringBuilder d = new StringBuilder();
        ValueState<String> value = b.getState(VALUE);
        ListState<Long> list = b.getState(LIST);
        MapState<Integer, byte[]> map = b.getState(MAP);
        for (long k = 0; k < KEYS + KEYS / 3; k++) {
            if (!b.keyGroupRange().contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))) {
                continue;
            }
            b.setCurrentKey(k);
            d.append(k).append('=').append(value.value()).append(list.get());
            Map<Integer, String> entries = new TreeMap<>();
            for (Map.Entry<Integer, byte[]> e : map.entries()) {
                entries.put(e.getKey(), java.util.HexFormat.of().formatHex(e.getValue()));
            }
            d.append(entries).append('\n');
        }
        return d.toString();
    }

    private static String digest(OperatorStateBackend o) {
        StringBuilder d = new StringBuilder();
        d.append(o.getListState(SPLIT).get()).append(o.getUnionListState(UNION).get());
        Map<String, String> rules = new TreeMap<>();
        for (Map.Entry<String, String> e : o.getBroadcastState(BROADCAST).entries()) {
            rules.put(e.getKey(), e.getValue());
        }
        return d.append(rules).append('\n').toString();
    }

    /**
     * The files left in the local directories of the backends of the last {@link #restore}: none once it returned
     * or failed (a backend closes, or cleans up before it throws).
     */
    List<Path> leftovers() {
        List<Path> left = new ArrayList<>();
        for (Path dir : restoreDirectories) {
            try (var walk = Files.walk(dir)) {
                walk.filter(p -> !p.equals(dir)).forEach(left::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return left;
    }

    /** Every regular file under the checkpoint directory, recursively. */
    List<Path> files() {
        try (var walk = Files.walk(checkpointsDirectory())) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path newLocalDirectory() {
        try {
            return Files.createDirectories(directory.resolve("local").resolve("l" + nextLocal++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <H> H run(RunnableFuture<H> f) {
        f.run();
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        storage.close();
        store.close();
    }
}
