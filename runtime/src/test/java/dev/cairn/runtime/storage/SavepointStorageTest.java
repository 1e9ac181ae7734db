package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CheckpointStateOutputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.OperatorStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.ConfigurationException;
import dev.cairn.state.RedistributionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Savepoint locations and state discarding of both checkpoint storages. */
class SavepointStorageTest {
    private static final String BASE = "mem:///checkpoints";
    private final MapBlobStore store = new MapBlobStore();
    private final FileCheckpointStorage storage = new FileCheckpointStorage(store, BASE, "job-123456789",
            FileCheckpointStorageOptions.builder().inlineThreshold(1).build());

    private static StreamStateHandle write(CheckpointStorageLocation loc, CheckpointedStateScope scope, String text) {
        try (CheckpointStateOutputStream out = loc.createOutputStream(scope)) {
            out.write(text.getBytes());
            return out.commit();
        }
    }

    private static CheckpointMetadata metadata(long id, StreamStateHandle... handles) {
        List<OperatorStateHandle> states = new ArrayList<>();
        for (StreamStateHandle h : handles) {
            states.add(new OperatorStateHandle(Map.of("s", new OperatorStateHandle.StateMetaInfo(
                    RedistributionMode.SPLIT, new long[] {0})), h));
        }
        return new CheckpointMetadata(id, 42, List.of(new OperatorSnapshot("op", 1, 128,
                List.of(new SubtaskSnapshot(0, List.of(), states, false)))));
    }

    @Test
    void aSavepointIsSelfContainedInItsOwnDirectory() {
        CheckpointStorageLocation loc = storage.initializeSavepointLocation(7, null);
        List<StreamStateHandle> handles = new ArrayList<>();
        for (CheckpointedStateScope scope : CheckpointedStateScope.values()) {
            handles.add(write(loc, scope, "state of " + scope));
        }
        CompletedCheckpoint sp = loc.finalizeCheckpoint(metadata(7, handles.toArray(StreamStateHandle[]::new)));
        assertThat(sp.pointer()).matches("mem:///checkpoints/savepoint-job-12-[0-9a-f]{12}");
        for (StreamStateHandle h : handles) {
            assertThat(((FileStateHandle) h).location()).startsWith(sp.pointer() + "/");
        }
        assertThat(store.locations()).hasSize(4).allMatch(l -> l.startsWith(sp.pointer() + "/"));
        assertThat(storage.resolve(sp.pointer())).isEqualTo(sp);
        assertThat(storage.resolve(sp.pointer() + "/_metadata")).isEqualTo(sp);
        assertThat(storage.completedCheckpoints()).as("savepoints are not listed as checkpoints").isEmpty();

        MapBlobStore moved = new MapBlobStore();
        store.blobs.forEach((k, v) -> moved.blobs.put(k.replace("mem:///checkpoints/", "mem:///archive/"), v));
        FileCheckpointStorage elsewhere = new FileCheckpointStorage(moved, "mem:///other", "job-9");
        CompletedCheckpoint relocated = elsewhere.resolve(sp.pointer().replace("/checkpoints/", "/archive/"));
        assertThat(relocated.checkpointId()).as("a moved savepoint still resolves").isEqualTo(7);

        storage.discard(sp);
        assertThat(store.locations()).as("discarding a savepoint deletes all its files").isEmpty();
    }

    @Test
    void aSavepointGoesUnderTheTargetDirectoryOfTheSameStore() {
        CheckpointStorageLocation loc = storage.initializeSavepointLocation(3, "mem:///savepoints/");
        CompletedCheckpoint sp = loc.finalizeCheckpoint(metadata(3, write(loc, CheckpointedStateScope.EXCLUSIVE, "x")));
        assertThat(sp.pointer()).startsWith("mem:///savepoints/savepoint-job-12-");
        assertThat(storage.initializeSavepointLocation(4, null)).isNotNull();
        assertThatThrownBy(() -> storage.initializeSavepointLocation(5, "s3://bucket/sp"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("s3://bucket/sp");
    }

    @Test
    void twoSavepointsNeverShareADirectory() {
        CheckpointStorageLocation a = storage.initializeSavepointLocation(1, null);
        CheckpointStorageLocation b = storage.initializeSavepointLocation(2, null);
        CompletedCheckpoint spa = a.finalizeCheckpoint(metadata(1));
        CompletedCheckpoint spb = b.finalizeCheckpoint(metadata(2));
        assertThat(spa.pointer()).isNotEqualTo(spb.pointer());
    }

    @Test
    void anAbortedSavepointLeavesNothing() {
        CheckpointStorageLocation loc = storage.initializeSavepointLocation(9, null);
        write(loc, CheckpointedStateScope.SHARED, "a");
        write(loc, CheckpointedStateScope.TASK_OWNED, "b");
        loc.discardOnFailure();
        assertThat(store.locations()).isEmpty();
        assertThatThrownBy(() -> loc.finalizeCheckpoint(metadata(9))).isInstanceOf(CheckpointException.class);
    }

    @Test
    void discardStateDeletesOnlyTheCheckpointsExclusiveFiles() {
        CheckpointStorageLocation loc = storage.initializeLocation(5);
        StreamStateHandle exclusive = write(loc, CheckpointedStateScope.EXCLUSIVE, "e");
        StreamStateHandle shared = write(loc, CheckpointedStateScope.SHARED, "s");
        StreamStateHandle owned = write(loc, CheckpointedStateScope.TASK_OWNED, "t");
        CheckpointStorageLocation other = storage.initializeLocation(6);
        StreamStateHandle ofSix = write(other, CheckpointedStateScope.EXCLUSIVE, "6");
        storage.discardState(5, metadata(5, exclusive, shared, owned, ofSix).allHandles());
        assertThat(Set.copyOf(store.locations())).containsExactlyInAnyOrder(((FileStateHandle) shared).location(),
                ((FileStateHandle) owned).location(), ((FileStateHandle) ofSix).location());
    }

    @Test
    void memoryStorageKeepsSavepointsApartFromCheckpoints() {
        MemoryCheckpointStorage memory = new MemoryCheckpointStorage("job-1");
        CompletedCheckpoint cp = memory.initializeLocation(1).finalizeCheckpoint(metadata(1));
        CheckpointStorageLocation loc = memory.initializeSavepointLocation(2, "file:///ignored");
        CompletedCheckpoint sp = loc.finalizeCheckpoint(metadata(2, write(loc, CheckpointedStateScope.SHARED, "x")));
        assertThat(sp.pointer()).startsWith("memory:job-1/savepoint-2-");
        assertThat(memory.completedCheckpoints()).containsExactly(cp);
        assertThat(memory.resolve(sp.pointer())).isEqualTo(sp);
        memory.discard(sp);
        assertThatThrownBy(() -> memory.resolve(sp.pointer())).isInstanceOf(CheckpointException.class);
        assertThat(memory.completedCheckpoints()).containsExactly(cp);
    }
}
