package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.backend.StateBackend;
import dev.cairn.backend.StateBackends;
import dev.cairn.error.ConfigurationException;
import dev.cairn.format.snapshot.SnapshotCompression;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RocksDbOptionsTest {
    @Test
    void defaultsBoundNativeMemory() {
        RocksDbOptions d = RocksDbOptions.parse(Map.of());
        assertThat(d).isEqualTo(RocksDbOptions.defaults());
        assertThat(d.nativeMemoryBudget()).isEqualTo((16L << 20) + 2 * (8L << 20));
        assertThat(d.incremental()).isTrue();
        assertThat(d.compactionStyle()).isEqualTo(RocksDbOptions.CompactionStyle.LEVEL);
        assertThat(d.uploadThreads()).isEqualTo(2);
        assertThat(d.localDirectories()).isEmpty();
    }

    @Test
    void parsesEveryOption() {
        RocksDbOptions o = RocksDbOptions.parse(Map.of(RocksDbOptions.BLOCK_CACHE_SIZE, "64mb",
                RocksDbOptions.WRITE_BUFFER_SIZE, "1048576", RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "3",
                RocksDbOptions.COMPACTION_STYLE, "Universal", RocksDbOptions.LOCAL_DIRECTORIES, "/a, /b/c",
                RocksDbOptions.UPLOAD_THREADS, "4", RocksDbOptions.INCREMENTAL, "false",
                RocksDbOptions.COMPRESSION, "snappy"));
        assertThat(o.blockCacheSize()).isEqualTo(64L << 20);
        assertThat(o.writeBufferSize()).isEqualTo(1L << 20);
        assertThat(o.maxWriteBufferNumber()).isEqualTo(3);
        assertThat(o.compactionStyle()).isEqualTo(RocksDbOptions.CompactionStyle.UNIVERSAL);
        assertThat(o.localDirectories()).containsExactly(Path.of("/a"), Path.of("/b/c"));
        assertThat(o.uploadThreads()).isEqualTo(4);
        assertThat(o.incremental()).isFalse();
        assertThat(o.compression()).isEqualTo(SnapshotCompression.SNAPPY);
        assertThat(RocksDbOptions.parseSize("k", "1g")).isEqualTo(1L << 30);
        assertThat(RocksDbOptions.parseSize("k", "512 KiB")).isEqualTo(512L << 10);
    }

    @Test
    void invalidValuesAreRefusedNamingTheKey() {
        Map<String, String> bad = Map.of(
                RocksDbOptions.BLOCK_CACHE_SIZE, "lots",
                RocksDbOptions.WRITE_BUFFER_SIZE, "1kb",
                RocksDbOptions.MAX_WRITE_BUFFER_NUMBER, "0",
                RocksDbOptions.COMPACTION_STYLE, "fifo",
                RocksDbOptions.LOCAL_DIRECTORIES, "relative/dir",
                RocksDbOptions.UPLOAD_THREADS, "-1",
                RocksDbOptions.INCREMENTAL, "yes",
                RocksDbOptions.COMPRESSION, "zip");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> RocksDbOptions.parse(Map.of(e.getKey(), e.getValue())))
                    .as("%s = %s", e.getKey(), e.getValue()).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("'" + e.getKey() + "'");
        }
        assertThatThrownBy(() -> RocksDbOptions.parse(Map.of(RocksDbOptions.COMPACTION_STYLE, "fifo")))
                .hasMessageContaining("would lose state");
        assertThatThrownBy(() -> RocksDbOptions.parse(Map.of(RocksDbOptions.BLOCK_CACHE_SIZE, "128gb")))
                .hasMessageContaining("must be in");
        assertThatThrownBy(() -> RocksDbOptions.parse(Map.of(RocksDbOptions.LOCAL_DIRECTORIES, "/a,,/b")))
                .hasMessageContaining("empty entry");
    }

    @Test
    void unknownOptionsAreRefusedLikeTheMemoryBackendDoes() {
        assertThatThrownBy(() -> RocksDbOptions.parse(Map.of("block-cache", "8mb")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("block-cache")
                .hasMessageContaining(RocksDbOptions.BLOCK_CACHE_SIZE);
    }

    @Test
    void theFactoryIsFoundByName() {
        StateBackend backend = StateBackends.create("rocksdb", Map.of(RocksDbOptions.UPLOAD_THREADS, "3"));
        assertThat(backend).isInstanceOf(RocksDbStateBackend.class);
        assertThat(backend.name()).isEqualTo("rocksdb");
        assertThat(((RocksDbStateBackend) backend).options().uploadThreads()).isEqualTo(3);
        assertThatThrownBy(() -> StateBackends.create("rocksdb", Map.of("nope", "1")))
                .isInstanceOf(ConfigurationException.class);
        assertThat(List.of(new RocksDbStateBackendFactory().name())).containsExactly("rocksdb");
    }
}
