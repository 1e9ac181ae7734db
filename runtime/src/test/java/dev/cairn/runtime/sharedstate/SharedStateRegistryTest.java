package dev.cairn.runtime.sharedstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobInfo;
import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.SupportsPrefixListing;
import dev.cairn.checkpoint.CheckpointMetadata;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.checkpoint.OperatorSnapshot;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.checkpoint.SubtaskSnapshot;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.runtime.storage.CheckpointStorages;
import dev.cairn.runtime.storage.FileCheckpointStorage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedStateRegistryTest {
    private static final String SHARED = "file:///cp/job/shared/";
    private final List<StreamStateHandle> deleted = new ArrayList<>();
    private final SharedStateRegistry registry = new SharedStateRegistry(deleted::add);

    static FileStateHandle file(String name) {
        return new FileStateHandle(SHARED + name, 10);
    }

    /** A checkpoint with one incremental handle per entry of {@code subtaskFiles}. */
    static CompletedCheckpoint checkpoint(long id, List<List<StreamStateHandle>> subtaskFiles) {
        List<SubtaskSnapshot> subtasks = new ArrayList<>();
        for (int i = 0; i < subtaskFiles.size(); i++) {
            Map<String, StreamStateHandle> shared = new LinkedHashMap<>();
            int n = 0;
            for (StreamStateHandle f : subtaskFiles.get(i)) {
                shared.put((n++) + ".sst", f);
            }
            KeyedStateHandle handle = new IncrementalKeyedStateHandle("b" + i, id, KeyGroupRange.of(i, i), shared,
                    Map.of("CURRENT", new InlineStateHandle(new byte[1])), new InlineStateHandle(new byte[2]), 0);
            subtasks.add(new SubtaskSnapshot(i, List.of(handle), List.of(), false));
        }
        return new CompletedCheckpoint("file:///cp/job/chk-" + id, new CheckpointMetadata(id, 0,
                List.of(new OperatorSnapshot("op", Math.max(1, subtasks.size()), 8, subtasks))));
    }

    static CompletedCheckpoint checkpoint(long id, StreamStateHandle... files) {
        return checkpoint(id, List.of(List.of(files)));
    }

    @Test
    void deletesExactlyTheFilesNoRegisteredCheckpointRefersTo() {
        registry.register(checkpoint(1, file("a"), file("b")));
        registry.register(checkpoint(2, file("b"), file("c")));
        registry.register(checkpoint(3, List.of(List.of(file("c")), List.of(file("d"), file("b")))));
        assertThat(registry.referenceCount(SHARED + "b")).isEqualTo(3);

        assertThat(registry.unregisterAndDelete(1)).containsExactly(file("a"));
        assertThat(registry.unregisterAndDelete(2)).isEmpty();
        assertThat(registry.registeredLocations()).containsExactlyInAnyOrder(SHARED + "b", SHARED + "c",
                SHARED + "d");
        assertThat(registry.unregisterAndDelete(3)).containsExactlyInAnyOrder(file("b"), file("c"), file("d"));
        assertThat(deleted).containsExactlyInAnyOrder(file("a"), file("b"), file("c"), file("d"));
        assertThat(registry.registeredLocations()).isEmpty();
        assertThat(registry.registeredCheckpoints()).isEmpty();
    }

    @Test
    void registeringTwiceCountsOnceAndUnknownCheckpointsDeleteNothing() {
        CompletedCheckpoint one = checkpoint(1, file("a"));
        registry.register(one);
        registry.register(one);
        assertThat(registry.referenceCount(SHARED + "a")).isEqualTo(1);
        assertThat(registry.unregisterAndDelete(7)).isEmpty();
        assertThat(registry.unregisterAndDelete(1)).containsExactly(file("a"));
        assertThat(registry.unregisterAndDelete(1)).as("unregistering again").isEmpty();
        assertThat(deleted).containsExactly(file("a"));
    }

    @Test
    void filesOfAnUnclaimedRestoredCheckpointAreNeverDeleted() {
        registry.registerRestored(checkpoint(5, file("old"), file("shared-old")), false);
        registry.register(checkpoint(6, file("shared-old"), file("new")));
        assertThat(registry.unregisterAndDelete(5)).isEmpty();
        assertThat(registry.unregisterAndDelete(6)).containsExactly(file("new"));
        assertThat(deleted).containsExactly(file("new"));
        assertThat(registry.isRegistered(SHARED + "old")).as("kept, so a later reference still finds it").isTrue();
    }

    @Test
    void filesOfAClaimedRestoredCheckpointAreDeletedOnceUnused() {
        registry.registerRestored(checkpoint(5, file("old"), file("kept")), true);
        registry.register(checkpoint(6, file("kept")));
        assertThat(registry.unregisterAndDelete(5)).containsExactly(file("old"));
        assertThat(registry.unregisterAndDelete(6)).containsExactly(file("kept"));
    }

    @Test
    void inlineSharedStreamsAndFullSnapshotsAreNotTracked() {
        registry.register(checkpoint(1, new InlineStateHandle(new byte[] {1, 2}), file("a")));
        assertThat(registry.registeredLocations()).containsExactly(SHARED + "a");
        assertThat(SharedStateRegistry.sharedFiles(new CompletedCheckpoint("p", new CheckpointMetadata(2, 0,
                List.of())))).isEmpty();
    }

    @Test
    void aFileRegisteredWithAnotherSizeIsRefused() {
        registry.register(checkpoint(1, file("a")));
        assertThatThrownBy(() -> registry.register(checkpoint(2, new FileStateHandle(SHARED + "a", 11))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(SHARED + "a")
                .hasMessageContaining("checkpoint 2");
    }

    @Test
    void aFailedDeletionDoesNotStopTheOthers() {
        SharedStateRegistry failing = new SharedStateRegistry(h -> {
            if (h.equals(file("bad"))) {
                throw new IllegalStateException("disk on fire");
            }
            deleted.add(h);
        });
        failing.register(checkpoint(1, file("bad"), file("good")));
        assertThat(failing.unregisterAndDelete(1)).containsExactly(file("good"));
        assertThat(failing.registeredLocations()).isEmpty();
    }

    @Test
    void forFileStorageDeletesOnlyInsideItsSharedDirectory() {
        try (FileCheckpointStorage storage = (FileCheckpointStorage) CheckpointStorages.create("maptest:///base",
                "job", Map.of())) {
            String inShared = storage.sharedLocation() + "x.sst";
            String elsewhere = storage.checkpointLocation(1) + "y";
            for (String location : List.of(inShared, elsewhere)) {
                try (BlobOutputStream out = storage.blobStore().create(location)) {
                    out.write(new byte[3]);
                    out.commit();
                }
            }
            SharedStateRegistry forStorage = SharedStateRegistry.forStorage(storage);
            forStorage.register(checkpoint(1, new FileStateHandle(inShared, 3), new FileStateHandle(elsewhere, 3)));
            forStorage.unregisterAndDelete(1);
            List<String> left = new ArrayList<>();
            for (BlobInfo info : ((SupportsPrefixListing) storage.blobStore()).list("maptest:///base/")) {
                left.add(info.location());
            }
            assertThat(left).containsExactly(elsewhere);
        }
    }
}
