package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.KeyedStateBackend;
import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * About 200 MB of value state written at parallelism 2 and restored at 1, once through the old path
 * (entries copied through write batches) and once by importing SST files, then restored at 2 again
 * (scale-out); the times are printed, not asserted (other builds share the machine). Contents are
 * checked on a sample of keys and by counting every key.
 */
class RescaleTimingTest extends RocksDbTestSupport {
    private static final int KEYS = 200 * 1024;
    private static final int VALUE_SIZE = 1024;

    private List<KeyedStateHandle> writeAtTwo() {
        List<KeyedStateHandle> handles = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(MAX_PARALLELISM, 2, subtask);
            RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), range, List.of());
            var state = b.getState(BYTES);
            for (long k = 0; k < KEYS; k++) {
                if (range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))) {
                    b.setCurrentKey(k);
                    state.update(value(k, 0, VALUE_SIZE));
                }
            }
            handles.add(snapshot(b, 1, SnapshotType.CHECKPOINT));
            b.close();
        }
        return handles;
    }

    private long timedRestore(KeyGroupRange range, List<KeyedStateHandle> handles, boolean importFiles) {
        System.setProperty(RocksDbRestore.IMPORT_PROPERTY, String.valueOf(importFiles));
        try {
            long start = System.nanoTime();
            RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), range, handles);
            long millis = (System.nanoTime() - start) / 1_000_000;
            check(b, range);
            b.close();
            return millis;
        } finally {
            System.clearProperty(RocksDbRestore.IMPORT_PROPERTY);
        }
    }

    private static void check(KeyedStateBackend<Long> b, KeyGroupRange range) {
        long owned = 0;
        for (long k = 0; k < KEYS; k++) {
            if (range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))) {
                owned++;
            }
        }
        assertThat(b.keys(BYTES.name()).count()).as("keys restored into %s", range).isEqualTo(owned);
        var state = b.getState(BYTES);
        for (long k = 0; k < KEYS; k += 997) {
            if (range.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))) {
                b.setCurrentKey(k);
                assertThat(state.value()).as("key %s", k).isEqualTo(value(k, 0, VALUE_SIZE));
            }
        }
    }

    @Test
    void rescaleInByImportIsTimedAgainstTheCopyPath() {
        List<KeyedStateHandle> two = writeAtTwo();
        long bytes = two.stream().mapToLong(KeyedStateHandle::stateSize).sum();
        long copy = timedRestore(ALL, two, false);
        long imported = timedRestore(ALL, two, true);
        KeyedStateHandle one = snapshot(backend(rocksdb(Map.of()), ALL, two), 2, SnapshotType.CHECKPOINT);
        long out = timedRestore(KeyGroups.rangeForSubtask(MAX_PARALLELISM, 2, 0), List.of(one), true);
        System.out.printf("rocksdb rescale of %,d bytes of incremental state: 2 -> 1 by copying entries %,d ms, "
                + "by importing SST files %,d ms (%.1fx); 1 -> 2 (subtask 0, deleteFilesInRanges + deleteRange) "
                + "%,d ms%n", bytes, copy, imported, copy / (double) Math.max(1, imported), out);
    }
}
