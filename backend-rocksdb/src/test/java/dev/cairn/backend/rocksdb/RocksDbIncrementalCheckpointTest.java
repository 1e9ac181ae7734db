package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CorruptCheckpointException;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import dev.cairn.storage.fs.LocalBlobStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RunnableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RocksDbIncrementalCheckpointTest extends RocksDbTestSupport {
    private static final int VALUE_SIZE = 1024;
    private static final int KEYS_64_MIB = 64 * 1024;

    private static Set<StreamStateHandle> shared(KeyedStateHandle h) {
        return new HashSet<>(((IncrementalKeyedStateHandle) h).sharedState().values());
    }

    /**
     * 64 MiB of state, then 1% of the keys changed: the second checkpoint persists less than a tenth
     * of the first. The write buffer holds the whole state, so no compaction rewrites the SST files in
     * between (a compaction would legitimately make an incremental checkpoint larger).
     */
    @Test
    void secondCheckpointPersistsLessThanATenthAfterOnePercentOfTheKeysChanged() {
        RocksDbStateBackend backend = rocksdb(Map.of(RocksDbOptions.WRITE_BUFFER_SIZE, "256mb"));
        RocksDbKeyedStateBackend<Long> b = backend(backend, ALL, List.of());
        write(b, 0, KEYS_64_MIB, 0, VALUE_SIZE);
        KeyedStateHandle first = snapshot(b, 1, SnapshotType.CHECKPOINT);
        b.notifyCheckpointComplete(1);
        write(b, 0, KEYS_64_MIB / 100, 1, VALUE_SIZE);
        KeyedStateHandle second = snapshot(b, 2, SnapshotType.CHECKPOINT);
        b.notifyCheckpointComplete(2);
        KeyedStateHandle full = snapshot(b, 3, SnapshotType.FULL_CHECKPOINT);

        System.out.printf("rocksdb 64 MiB state: incremental checkpoint 1 persisted %,d bytes, checkpoint 2 "
                + "(1%% of keys changed) %,d bytes of %,d referenced; a full checkpoint persists %,d bytes%n",
                first.checkpointedSize(), second.checkpointedSize(), second.stateSize(), full.checkpointedSize());
        assertThat(first.checkpointedSize()).as("the first checkpoint uploads the whole state")
                .isGreaterThan(64L * 1000 * 1000);
        assertThat(second.checkpointedSize()).as("bytes persisted by the second checkpoint")
                .isLessThan(first.checkpointedSize() / 10);
        assertThat(shared(second)).as("the second checkpoint refers to the first one's SST files")
                .containsAll(shared(first));
        assertThat(full).isInstanceOf(KeyGroupsStateHandle.class);
        assertThat(full.checkpointedSize()).isGreaterThan(64L * 1000 * 1000);

        RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(second));
        var state = restored.getState(BYTES);
        for (long k = 0; k < KEYS_64_MIB; k += 7) {
            restored.setCurrentKey(k);
            assertThat(state.value()).as("key %s", k).isEqualTo(value(k, k < KEYS_64_MIB / 100 ? 1 : 0, VALUE_SIZE));
        }
    }

    /**
     * Each scenario stays below four L0 files, so no compaction replaces the files being compared,
     * and every SST file is larger than the inline threshold, so handles identify uploads.
     */
    @Test
    void onlyFilesOfACompletedCheckpointAreReused() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 2000, 0, 100);
        KeyedStateHandle one = snapshot(b, 1, SnapshotType.CHECKPOINT);
        write(b, 2000, 2500, 0, 100);
        KeyedStateHandle two = snapshot(b, 2, SnapshotType.CHECKPOINT);
        assertThat(shared(two)).as("checkpoint 1 was never confirmed, so nothing of it is reused")
                .doesNotContainAnyElementsOf(shared(one));
        b.notifyCheckpointComplete(2);
        b.notifyCheckpointComplete(1);
        write(b, 2500, 3000, 0, 100);
        KeyedStateHandle three = snapshot(b, 3, SnapshotType.CHECKPOINT);
        assertThat(shared(three)).as("confirmed checkpoint 2, not the late confirmation of 1")
                .containsAll(shared(two)).doesNotContainAnyElementsOf(shared(one));
    }

    @Test
    void filesOfAnAbortedCheckpointAreNotReused() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 2000, 0, 100);
        KeyedStateHandle one = snapshot(b, 1, SnapshotType.CHECKPOINT);
        b.notifyCheckpointComplete(1);
        write(b, 2000, 2500, 0, 100);
        KeyedStateHandle two = snapshot(b, 2, SnapshotType.CHECKPOINT);
        b.notifyCheckpointAborted(2);
        b.notifyCheckpointComplete(2);
        write(b, 2500, 3000, 0, 100);
        KeyedStateHandle three = snapshot(b, 3, SnapshotType.CHECKPOINT);
        Set<StreamStateHandle> onlyInTwo = new HashSet<>(shared(two));
        onlyInTwo.removeAll(shared(one));
        assertThat(onlyInTwo).isNotEmpty();
        assertThat(shared(three)).as("checkpoint 3 reuses the completed checkpoint 1, not the aborted 2")
                .containsAll(shared(one)).doesNotContainAnyElementsOf(onlyInTwo);
        RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(three));
        assertThat(restored.keys(BYTES.name()).count()).isEqualTo(3000);
    }

    @Test
    void fullCheckpointsAndSavepointsAreCanonicalAndResetOrKeepReuse() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 1000, 0, 100);
        KeyedStateHandle one = snapshot(b, 1, SnapshotType.CHECKPOINT);
        b.notifyCheckpointComplete(1);
        KeyedStateHandle savepoint = snapshot(b, 2, SnapshotType.SAVEPOINT);
        b.notifyCheckpointComplete(2);
        assertThat(savepoint).isInstanceOf(KeyGroupsStateHandle.class);
        KeyedStateHandle three = snapshot(b, 3, SnapshotType.CHECKPOINT);
        assertThat(shared(three)).as("a savepoint does not change what is reused").containsAll(shared(one));
        KeyedStateHandle full = snapshot(b, 4, SnapshotType.FULL_CHECKPOINT);
        assertThat(full).isInstanceOf(KeyGroupsStateHandle.class);
        b.notifyCheckpointComplete(4);
        KeyedStateHandle five = snapshot(b, 5, SnapshotType.CHECKPOINT);
        assertThat(shared(five)).as("after a full checkpoint completed, nothing older is referenced")
                .doesNotContainAnyElementsOf(shared(one));
        assertThat(five.checkpointedSize()).isEqualTo(five.stateSize());
    }

    @Test
    void aCorruptLocalSstFileIsRefusedBeforeUpload() throws Exception {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 3000, 0, 200);
        RunnableFuture<KeyedStateHandle> pending = b.snapshot(1, SnapshotType.CHECKPOINT,
                storage.initializeLocation(1));
        Path local;
        try (var dirs = Files.list(b.instanceDirectory().resolve("checkpoints"))) {
            local = dirs.findFirst().orElseThrow();
        }
        Path sst;
        try (var files = Files.list(local)) {
            sst = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
        }
        flipBit(sst, 0.3);
        assertThatThrownBy(() -> run(pending)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("local SST file").hasMessageContaining(sst.getFileName().toString())
                .hasMessageContaining("checksum");
        assertThat(filesUnder(b.instanceDirectory().resolve("checkpoints"))).as("the local checkpoint is removed")
                .isEmpty();
    }

    @Test
    void aCorruptUploadedSstFileIsRefusedAfterDownload() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 3000, 0, 200);
        IncrementalKeyedStateHandle handle = (IncrementalKeyedStateHandle) snapshot(b, 1, SnapshotType.CHECKPOINT);
        String location = handle.sharedState().values().stream()
                .map(h -> ((dev.cairn.checkpoint.FileStateHandle) h).location()).findFirst().orElseThrow();
        flipBit(LocalBlobStore.toPath(location), 0.3);
        Path local = newLocalDirectory();
        assertThatThrownBy(() -> backend(rocksdb(Map.of()), ALL, List.of(handle), local))
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(location)
                .hasMessageContaining("checksum");
        assertThat(filesUnder(local)).as("a failed restore leaves no working directory").isEmpty();
    }

    /**
     * RocksDB does not read the OPTIONS file on open and reports a damaged CURRENT as a corruption of a local path:
     * the CRC32C that the meta data records refuses both, naming the file in storage. (Every stream is a file here:
     * the storage inlines nothing.)
     */
    @Test
    void aChangedPrivateFileIsRefusedByItsChecksumNamingIt() {
        storage.close();
        storage = new FileCheckpointStorage(store, LocalBlobStore.toLocation(tempDir.resolve("checkpoints")), "job",
                dev.cairn.runtime.storage.FileCheckpointStorageOptions.builder().inlineThreshold(1).build());
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 3000, 0, 200);
        IncrementalKeyedStateHandle handle = (IncrementalKeyedStateHandle) snapshot(b, 1, SnapshotType.CHECKPOINT);
        for (String prefix : List.of("OPTIONS", "CURRENT")) {
            String location = ((dev.cairn.checkpoint.FileStateHandle) handle.privateState().entrySet().stream()
                    .filter(e -> e.getKey().startsWith(prefix)).findFirst().orElseThrow().getValue()).location();
            Path path = LocalBlobStore.toPath(location);
            byte[] bytes = readFile(path);
            flipBit(path, 0.5);
            assertThatThrownBy(() -> backend(rocksdb(Map.of()), ALL, List.of(handle)))
                    .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining(location)
                    .hasMessageContaining(prefix).hasMessageContaining("checksum");
            writeFile(path, bytes);
        }
        assertThat(backend(rocksdb(Map.of()), ALL, List.of(handle)).keys(BYTES.name()).count()).isEqualTo(3000);
    }

    private static byte[] readFile(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void writeFile(Path path, byte[] bytes) {
        try {
            Files.write(path, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void restoresAfterTheLocalWorkingDirectoryWasWiped() throws Exception {
        Path local = newLocalDirectory();
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of(), local);
        write(b, 0, 5000, 3, 64);
        KeyedStateHandle handle = snapshot(b, 1, SnapshotType.CHECKPOINT);
        assertThat(b.workingDirectoryExists()).isTrue();
        b.close();
        assertThat(b.workingDirectoryExists()).as("closing removes the working directory").isFalse();
        assertThat(filesUnder(local)).isEmpty();
        RocksDbKeyedStateBackend.deleteRecursively(local);

        RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(handle), local);
        var state = restored.getState(BYTES);
        for (long k = 0; k < 5000; k++) {
            restored.setCurrentKey(k);
            assertThat(state.value()).isEqualTo(value(k, 3, 64));
        }
        assertThat(restored.keys(BYTES.name()).count()).isEqualTo(5000);
    }

    /**
     * Scaling 1 -> 2: each new subtask opens the old database and drops the key groups it does not
     * own with range deletions, so its next checkpoint still refers to every original SST file
     * (re-inserting key by key would have written new ones) and uploads little.
     */
    @Test
    void rescalingClipsTheRestoredDatabaseInsteadOfRewritingIt() {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 20000, 0, 100);
        IncrementalKeyedStateHandle base = (IncrementalKeyedStateHandle) snapshot(b, 1, SnapshotType.CHECKPOINT);
        long next = 2;
        Set<Long> seen = new HashSet<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(MAX_PARALLELISM, 2, subtask);
            RocksDbKeyedStateBackend<Long> half = backend(rocksdb(Map.of()), range, List.of(base));
            Set<Long> keys = half.keys(BYTES.name()).collect(Collectors.toSet());
            for (long k : keys) {
                assertThat(range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))).isTrue();
            }
            seen.addAll(keys);
            var state = half.getState(BYTES);
            half.setCurrentKey(keys.iterator().next());
            assertThat(state.value()).hasSize(100);
            IncrementalKeyedStateHandle after = (IncrementalKeyedStateHandle) snapshot(half, next++,
                    SnapshotType.CHECKPOINT);
            assertThat(after.keyGroupRange()).isEqualTo(range);
            assertThat(after.sharedState().values()).as("subtask %s refers to the restored SST files", subtask)
                    .containsAll(base.sharedState().values());
            assertThat(after.checkpointedSize()).isLessThan(base.checkpointedSize() / 10);
        }
        assertThat(seen).hasSize(20000);
    }

    @Test
    void restoresFromAMovedCheckpointDirectory() throws Exception {
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        write(b, 0, 1000, 0, 50);
        KeyedStateHandle handle = snapshot(b, 1, SnapshotType.CHECKPOINT);
        var location = storage.initializeLocation(2);
        var completed = location.finalizeCheckpoint(new dev.cairn.checkpoint.CheckpointMetadata(2, 0, List.of(
                new dev.cairn.checkpoint.OperatorSnapshot("op", 1, MAX_PARALLELISM, List.of(
                        new dev.cairn.checkpoint.SubtaskSnapshot(0, List.of(handle), List.of(), false))))));
        Path moved = tempDir.resolve("moved");
        Files.move(tempDir.resolve("checkpoints"), moved);
        try (FileCheckpointStorage movedStorage = new FileCheckpointStorage(store, LocalBlobStore.toLocation(moved),
                "job")) {
            String pointer = completed.pointer().replace(LocalBlobStore.toLocation(tempDir.resolve("checkpoints")),
                    LocalBlobStore.toLocation(moved));
            KeyedStateHandle resolved = movedStorage.resolve(pointer).metadata().operators().get(0).subtasks().get(0)
                    .keyedState().get(0);
            assertThat(resolved).isInstanceOf(IncrementalKeyedStateHandle.class);
            var restored = (RocksDbKeyedStateBackend<Long>) rocksdb(Map.of()).createKeyedBackend(
                    new dev.cairn.backend.KeyedBackendParameters<>("op", dev.cairn.serialization.Serializers.LONG,
                            MAX_PARALLELISM, ALL, newLocalDirectory(), movedStorage), List.of(resolved));
            try (restored) {
                restored.setCurrentKey(999L);
                assertThat(restored.getState(BYTES).value()).isEqualTo(value(999, 0, 50));
            }
        }
    }
}
