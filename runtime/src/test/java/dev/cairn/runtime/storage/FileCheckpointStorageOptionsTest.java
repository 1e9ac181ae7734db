package dev.cairn.runtime.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.error.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FileCheckpointStorageOptionsTest {

    @Test
    void defaults() {
        FileCheckpointStorageOptions o = FileCheckpointStorageOptions.defaults();
        assertThat(o.inlineThreshold()).isEqualTo(20 * 1024);
        assertThat(o.writeBufferSize()).isEqualTo(4096);
        assertThat(o.maxMetadataSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(o.verifyFilesOnResolve()).isTrue();
        assertThat(o.leaseTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void buildRejectsZeroNegativeAndTooLargeValuesNamingEachOption() {
        assertThatThrownBy(() -> FileCheckpointStorageOptions.builder().inlineThreshold(0).writeBufferSize(-1)
                .maxMetadataSize(0).build()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(FileCheckpointStorageOptions.INLINE_THRESHOLD + " must be positive, was 0")
                .hasMessageContaining(FileCheckpointStorageOptions.WRITE_BUFFER_SIZE + " must be positive, was -1")
                .hasMessageContaining(FileCheckpointStorageOptions.MAX_METADATA_SIZE + " must be positive, was 0");
        assertThatThrownBy(() -> FileCheckpointStorageOptions.builder().inlineThreshold(2 * 1024 * 1024).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(FileCheckpointStorageOptions.INLINE_THRESHOLD + " must be at most");
        assertThatThrownBy(() -> FileCheckpointStorageOptions.builder().maxMetadataSize(1L << 40).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(FileCheckpointStorageOptions.MAX_METADATA_SIZE + " must be at most");
    }

    @Test
    void fromConfigParsesSizesWithUnits() {
        FileCheckpointStorageOptions o = FileCheckpointStorageOptions.fromConfig(Map.of(
                FileCheckpointStorageOptions.INLINE_THRESHOLD, "1kb",
                FileCheckpointStorageOptions.WRITE_BUFFER_SIZE, " 8192 ",
                FileCheckpointStorageOptions.MAX_METADATA_SIZE, "2 MB",
                FileCheckpointStorageOptions.VERIFY_FILES_ON_RESOLVE, "FALSE",
                "unrelated.key", "whatever"));
        assertThat(o).isEqualTo(new FileCheckpointStorageOptions(1024, 8192, 2L << 20, false,
                dev.cairn.filemerging.FileMergingOptions.disabled()));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of())).isEqualTo(FileCheckpointStorageOptions.defaults());
        assertThat(FileCheckpointStorageOptions.parseSize("k", "1g")).isEqualTo(1L << 30);
    }

    @Test
    void fromConfigRejectsMalformedValuesNamingTheKey() {
        for (Map.Entry<String, String> bad : Map.of(
                FileCheckpointStorageOptions.INLINE_THRESHOLD, "twenty",
                FileCheckpointStorageOptions.WRITE_BUFFER_SIZE, "-5",
                FileCheckpointStorageOptions.MAX_METADATA_SIZE, "99999999999999999999",
                FileCheckpointStorageOptions.VERIFY_FILES_ON_RESOLVE, "yes").entrySet()) {
            assertThatThrownBy(() -> FileCheckpointStorageOptions.fromConfig(Map.of(bad.getKey(), bad.getValue())))
                    .as(bad.toString()).isInstanceOf(ConfigurationException.class).hasMessageContaining(bad.getKey());
        }
        assertThatThrownBy(() -> FileCheckpointStorageOptions.fromConfig(
                Map.of(FileCheckpointStorageOptions.INLINE_THRESHOLD, "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> FileCheckpointStorageOptions.fromConfig(
                Map.of(FileCheckpointStorageOptions.WRITE_BUFFER_SIZE, "4gb")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("too large");
    }

    @Test
    void leaseTtlParsesDurationsAndRejectsNonPositiveOrTooLongOnesNamingTheKey() {
        String key = FileCheckpointStorageOptions.LEASE_TTL;
        assertThat(key).isEqualTo("checkpoint.lease.ttl");
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, "500ms")).leaseTtl()).isEqualTo(Duration.ofMillis(500));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, " 90 S ")).leaseTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, "2min")).leaseTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, "1h")).leaseTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, "250")).leaseTtl()).isEqualTo(Duration.ofMillis(250));
        assertThat(FileCheckpointStorageOptions.fromConfig(Map.of(key, "30s")).toBuilder().build().leaseTtl())
                .isEqualTo(Duration.ofSeconds(30));
        for (String bad : new String[] {"0", "0s", "-1s", "sixty", "60 days", "25h", "999999999999999h", ""}) {
            assertThatThrownBy(() -> FileCheckpointStorageOptions.fromConfig(Map.of(key, bad))).as(bad)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining(key);
        }
        assertThatThrownBy(() -> FileCheckpointStorageOptions.builder().leaseTtl(Duration.ofNanos(10)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(key + " must be at least 1 ms");
        assertThatThrownBy(() -> FileCheckpointStorageOptions.builder().leaseTtl(Duration.ofDays(2)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(key + " must be at most");
    }
}
