package dev.cairn.filemerging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.blob.BlobOutputStream;
import dev.cairn.blob.BlobStore;
import dev.cairn.blob.InputBlob;
import dev.cairn.blob.SupportsAppend;
import dev.cairn.error.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileMergingOptionsTest {
    /** A store that cannot append, like S3 or GCS; the options never call it. */
    private static class ObjectStore implements BlobStore {
        @Override
        public BlobOutputStream create(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public InputBlob open(String location) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String location) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class FileSystemStore extends ObjectStore implements SupportsAppend {
        @Override
        public BlobOutputStream append(String location, long expectedLength) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void defaultsAreOffAndFlinksValues() {
        FileMergingOptions off = FileMergingOptions.disabled();
        assertThat(off.enabled()).isFalse();
        FileMergingOptions on = FileMergingOptions.builder().enabled(true).build();
        assertThat(on.acrossCheckpointBoundary()).isFalse();
        assertThat(on.maxFileSize()).isEqualTo(32L << 20);
        assertThat(on.poolBlocking()).isFalse();
        assertThat(on.maxSubtasksPerFile()).isEqualTo(16);
        assertThat(on.maxSpaceAmplification()).isEqualTo(2.0);
    }

    @Test
    void invalidValuesAndCombinationsAreRefusedNamingBothOptions() {
        assertThatThrownBy(() -> FileMergingOptions.builder().acrossCheckpointBoundary(true).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY)
                .hasMessageContaining(FileMergingOptions.ENABLED);
        assertThatThrownBy(() -> FileMergingOptions.builder().enabled(true).maxOpenFilesPerPool(2).build())
                .hasMessageContaining(FileMergingOptions.MAX_OPEN_FILES_PER_POOL)
                .hasMessageContaining(FileMergingOptions.POOL_BLOCKING);
        assertThatThrownBy(() -> FileMergingOptions.builder().enabled(true).maxSpaceAmplification(0.9).build())
                .hasMessageContaining(FileMergingOptions.MAX_SPACE_AMPLIFICATION);
        assertThatThrownBy(() -> FileMergingOptions.builder().enabled(true).maxSpaceAmplification(Double.NaN).build())
                .hasMessageContaining(FileMergingOptions.MAX_SPACE_AMPLIFICATION);
        assertThatThrownBy(() -> FileMergingOptions.builder().enabled(true).maxFileSize(1000).writeBufferSize(4096)
                .build()).hasMessageContaining(FileMergingOptions.WRITE_BUFFER_SIZE)
                .hasMessageContaining(FileMergingOptions.MAX_FILE_SIZE);
        assertThatThrownBy(() -> FileMergingOptions.fromConfig(Map.of(FileMergingOptions.ENABLED, "yes")))
                .hasMessageContaining(FileMergingOptions.ENABLED);
    }

    @Test
    void acrossBoundaryFallsBackOnAStoreThatCannotAppendAndSaysWhy() {
        FileMergingOptions across = FileMergingOptions.builder().enabled(true).acrossCheckpointBoundary(true).build();
        assertThat(across.fallbackReason(new ObjectStore())).hasValueSatisfying(reason -> assertThat(reason)
                .contains(FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY).contains("within each checkpoint")
                .contains("SupportsAppend"));
        assertThat(across.forStore(new ObjectStore()).acrossCheckpointBoundary()).isFalse();
        assertThat(across.fallbackReason(new FileSystemStore())).isEmpty();
        assertThat(across.forStore(new FileSystemStore())).isSameAs(across);
    }

    @Test
    void readFromAConfigurationMap() {
        FileMergingOptions o = FileMergingOptions.fromConfig(Map.of(FileMergingOptions.ENABLED, "true",
                FileMergingOptions.ACROSS_CHECKPOINT_BOUNDARY, "true", FileMergingOptions.MAX_FILE_SIZE, "8mb",
                FileMergingOptions.POOL_BLOCKING, "true", FileMergingOptions.MAX_OPEN_FILES_PER_POOL, "3",
                FileMergingOptions.MAX_SUBTASKS_PER_FILE, "2", FileMergingOptions.MAX_SPACE_AMPLIFICATION, "1.5",
                FileMergingOptions.WRITE_BUFFER_SIZE, "16kb"));
        assertThat(o).isEqualTo(new FileMergingOptions(true, true, 8L << 20, true, 3, 2, 1.5, 16 << 10));
    }
}
