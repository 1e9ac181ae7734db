package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.checkpoint.CheckpointStorage;
import dev.cairn.checkpoint.CompletedCheckpoint;
import dev.cairn.error.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckpointStoragesTest {

    @Test
    void memoryGivesTheMemoryStorage() {
        try (CheckpointStorage s = CheckpointStorages.create("memory", "job", Map.of())) {
            assertThat(s).isInstanceOf(MemoryCheckpointStorage.class);
        }
    }

    @Test
    void aUriGivesFileStorageOverTheSchemesProviderWhichItCloses() {
        CheckpointStorage s = CheckpointStorages.create("maptest://bucket/base", "job-7",
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "16"));
        MapBlobStore store = MapBlobStoreProvider.last;
        assertThat(s).isInstanceOf(FileCheckpointStorage.class);
        FileCheckpointStorage fs = (FileCheckpointStorage) s;
        assertThat(fs.jobLocation()).isEqualTo("maptest://bucket/base/job-7/");
        assertThat(fs.options().inlineThreshold()).isEqualTo(16);
        CompletedCheckpoint cp = fs.initializeLocation(1)
                .finalizeCheckpoint(FileCheckpointStorageTest.metadata(1));
        assertThat(store.blobs).containsKey("maptest://bucket/base/job-7/chk-1/_metadata");
        assertThat(s.completedCheckpoints()).containsExactly(cp);
        s.close();
        assertThat(store.closed).isTrue();
    }

    @Test
    void unknownSchemesAndBadOptionsAreConfigurationErrors() {
        assertThatThrownBy(() -> CheckpointStorages.create("nosuch://x", "job", Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("nosuch");
        assertThatThrownBy(() -> CheckpointStorages.create("relative/dir", "job", Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no scheme");
        assertThatThrownBy(() -> CheckpointStorages.create("maptest://b/x", "job",
                Map.of(FileCheckpointStorageOptions.WRITE_BUFFER_SIZE, "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("write-buffer-size");
        assertThatThrownBy(() -> CheckpointStorages.create("maptest://b/x", "a/b", Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("job id");
        assertThat(MapBlobStoreProvider.last.closed).isTrue();
    }
}
