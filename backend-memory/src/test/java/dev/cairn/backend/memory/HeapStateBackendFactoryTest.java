package dev.cairn.backend.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.error.ConfigurationException;
import dev.cairn.format.snapshot.SnapshotCompression;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeapStateBackendFactoryTest {
    @Test
    void foundByNameThroughServiceLoader() {
        StateBackend backend = StateBackends.create("memory", Map.of());
        assertThat(backend).isInstanceOf(HeapStateBackend.class);
        assertThat(backend.name()).isEqualTo("memory");
        assertThat(((HeapStateBackend) backend).compression()).isEqualTo(SnapshotCompression.NONE);
    }

    @Test
    void compressionOption() {
        assertThat(((HeapStateBackend) StateBackends.create("memory", Map.of("compression", "LZ4"))).compression())
                .isEqualTo(SnapshotCompression.LZ4);
        assertThat(((HeapStateBackend) StateBackends.create("memory", Map.of("compression", "snappy")))
                .compression()).isEqualTo(SnapshotCompression.SNAPPY);
    }

    @Test
    void invalidCompressionNamesTheKey() {
        assertThatThrownBy(() -> new HeapStateBackendFactory().create(Map.of("compression", "zip")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("compression")
                .hasMessageContaining("zip");
    }

    @Test
    void unknownOptionRefused() {
        assertThatThrownBy(() -> new HeapStateBackendFactory().create(Map.of("compresion", "lz4")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("compresion");
    }
}
