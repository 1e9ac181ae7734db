package dev.cairn.benchmarks.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotWorkloadTest {

    @Test
    void keyCountFillsTheStateSize() {
        assertThat(SnapshotWorkload.keyCount(2_200L * 1_000_000L, SnapshotWorkload.RESCALE_VALUE_BYTES))
                .isEqualTo(9_821_428);
        assertThat(SnapshotWorkload.keyCount(256L << 20, SnapshotWorkload.SNAPSHOT_VALUE_BYTES)).isEqualTo(260_111);
        assertThat(SnapshotWorkload.keyCount(1, 1024)).isEqualTo(1);
    }

    @Test
    void valuesDependOnKeyAndRound() {
        byte[] v = SnapshotWorkload.value(7, 0, 216);
        assertThat(v).hasSize(216).isEqualTo(SnapshotWorkload.value(7, 0, 216));
        assertThat(v).isNotEqualTo(SnapshotWorkload.value(7, 1, 216)).isNotEqualTo(SnapshotWorkload.value(8, 0, 216));
    }

    @Test
    void changedKeysAreDistinctSortedAndDifferPerRound() {
        long[] first = SnapshotWorkload.changedKeys(10_000, 10, 1);
        assertThat(first).hasSize(1_000).isSorted().doesNotHaveDuplicates();
        assertThat(Arrays.stream(first).allMatch(k -> k >= 0 && k < 10_000)).isTrue();
        assertThat(first).isNotEqualTo(SnapshotWorkload.changedKeys(10_000, 10, 2));
        assertThat(SnapshotWorkload.changedKeys(50, 1, 1)).hasSize(1);
        assertThat(SnapshotWorkload.changedKeys(10, 100, 3)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThatThrownBy(() -> SnapshotWorkload.changedKeys(10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void newSstBytesCountOnlyFilesThePreviousSnapshotLacked() {
        SnapshotResult previous = new SnapshotResult("a", 0, 0, 30, Map.of("1.sst", 10L, "2.sst", 20L));
        SnapshotResult next = new SnapshotResult("b", 0, 0, 7, Map.of("2.sst", 20L, "3.sst", 5L, "4.sst", 2L));
        assertThat(next.newSstBytes(previous)).isEqualTo(7);
        assertThat(next.newSstBytes(null)).isEqualTo(27);
    }

    @Test
    void datasetLoadsChangesAndVerifiesAgainstABackend() {
        MapSystem system = new MapSystem();
        SnapshotDataset data = new SnapshotDataset(system, 1_000 * (8 + 16), 16);
        MapSystem.Backend backend = system.create(0, SnapshotWorkload.MAX_PARALLELISM - 1, List.of());
        data.load(backend, 0, SnapshotWorkload.MAX_PARALLELISM - 1);
        assertThat(backend.values).hasSize(1_000);
        data.change(backend, 10);
        data.verify(backend, 0, SnapshotWorkload.MAX_PARALLELISM - 1);

        MapSystem.Backend half = system.create(0, 63, List.of());
        data.load(half, 0, 63);
        assertThat(half.values.keySet()).allMatch(k -> system.keyGroupOf(k) <= 63);
        assertThatThrownBy(() -> data.verify(half, 0, 63)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected round 1");

        backend.values.put(0L, new byte[16]);
        assertThatThrownBy(() -> data.verify(backend, 0, SnapshotWorkload.MAX_PARALLELISM - 1))
                .hasMessageContaining("key 0 restored with a different 16-byte value");
    }

    @Test
    void deleteRecursivelyRemovesTheTree() throws Exception {
        Path dir = SnapshotWorkload.createTempDirectory("snapshot-workload-test-");
        Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("a/b/f"), new byte[10]);
        assertThat(SnapshotWorkload.sizeOf(dir)).isEqualTo(10);
        SnapshotWorkload.deleteRecursively(dir);
        assertThat(dir).doesNotExist();
        SnapshotWorkload.deleteRecursively(dir);
    }

    /** A backend over a plain map: what {@link SnapshotDataset} needs from a system, with no state backend. */
    private static final class MapSystem implements SnapshotSystem {
        @Override
        public Backend create(int firstKeyGroup, int lastKeyGroup, List<Object> restoreFrom) {
            return new Backend();
        }

        @Override
        public int keyGroupOf(long key) {
            return (int) Math.floorMod(key * 31, SnapshotWorkload.MAX_PARALLELISM);
        }

        @Override
        public void close() {
        }

        static final class Backend implements SnapshotBackend {
            final Map<Long, byte[]> values = new HashMap<>();

            @Override
            public void put(long key, byte[] value) {
                values.put(key, Arrays.copyOf(value, value.length));
            }

            @Override
            public byte[] get(long key) {
                return values.get(key);
            }

            @Override
            public SnapshotResult snapshot(long checkpointId, boolean full) {
                throw new UnsupportedOperationException("not needed by the dataset");
            }

            @Override
            public void notifyCheckpointComplete(long checkpointId) {
            }

            @Override
            public void close() {
            }
        }
    }
}
