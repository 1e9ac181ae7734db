package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.SeekableInputStream;
import dev.cairn.checkpoint.CheckpointStorageLocation;
import dev.cairn.checkpoint.CheckpointedStateScope;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.checkpoint.FileStateHandle;
import dev.cairn.checkpoint.InlineStateHandle;
import dev.cairn.checkpoint.StreamStateHandle;
import dev.cairn.error.CheckpointException;
import dev.cairn.error.StorageException;
import org.junit.jupiter.api.Test;

class MemoryCheckpointStorageTest {
    private final MemoryCheckpointStorage storage = new MemoryCheckpointStorage("job");

    @Test
    void everythingIsInlineAndResolvable() throws Exception {
        CheckpointStorageLocation loc = storage.initializeLocation(1);
        byte[] big = FileCheckpointStorageTest.bytes(100_000, 3);
        StreamStateHandle h = FileCheckpointStorageTest.write(loc, CheckpointedStateScope.EXCLUSIVE, big);
        assertThat(h).isEqualTo(new InlineStateHandle(big));
        CompletedCheckpoint cp = loc.finalizeCheckpoint(FileCheckpointStorageTest.metadata(1, h));
        assertThat(storage.resolve(cp.pointer())).isEqualTo(cp);
        assertThat(storage.resolve(cp.pointer() + "/_metadata")).isEqualTo(cp);
        assertThat(storage.completedCheckpoints()).containsExactly(cp);
        try (SeekableInputStream in = storage.open(h)) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        assertThatThrownBy(() -> storage.open(new FileStateHandle("file:///x", 1))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> storage.initializeLocation(1).finalizeCheckpoint(FileCheckpointStorageTest.metadata(1)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("already finalized");
        storage.discard(cp);
        assertThatThrownBy(() -> storage.resolve(cp.pointer())).isInstanceOf(CheckpointException.class);
        assertThat(storage.completedCheckpoints()).isEmpty();
    }
}
