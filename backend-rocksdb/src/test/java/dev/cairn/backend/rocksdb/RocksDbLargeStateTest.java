package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.backend.SnapshotType;
import dev.cairn.checkpoint.IncrementalKeyedStateHandle;
import dev.cairn.checkpoint.KeyGroupsStateHandle;
import dev.cairn.checkpoint.KeyedStateHandle;
import dev.cairn.keygroup.KeyGroupRange;
import dev.cairn.keygroup.KeyGroups;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB of keyed state with a JVM heap of at most 512 MiB: written, checkpointed incrementally,
 * restored from the checkpoint, saved as a canonical savepoint and restored from it at another
 * parallelism. The surefire execution {@code large-state} runs this class alone in a JVM started with
 * {@code -Xmx512m}; the default execution skips it.
 */
class RocksDbLargeStateTest extends RocksDbTestSupport {
    private static final int VALUE_SIZE = 1024;
    private static final int KEYS = 1 << 20;

    /** The database, its checkpoint, two restores and a savepoint of 1 GiB each, with room to spare. */
    private static final long DISK_NEEDED = 8L << 30;

    @Test
    void oneGibOfStateWorksWithAHalfGibHeap() {
        java.io.File tmp = new java.io.File(System.getProperty("java.io.tmpdir"));
        Assumptions.assumeTrue(tmp.getUsableSpace() >= DISK_NEEDED, "the 1 GiB state test needs "
                + (DISK_NEEDED >> 30) + " GiB free in " + tmp + ", found " + (tmp.getUsableSpace() >> 20) + " MiB");
        assertThat(Runtime.getRuntime().maxMemory()).as("max heap of this JVM").isLessThanOrEqualTo(512L << 20);
        RocksDbKeyedStateBackend<Long> b = backend(rocksdb(Map.of()), ALL, List.of());
        long started = System.nanoTime();
        write(b, 0, KEYS, 0, VALUE_SIZE);
        long written = System.nanoTime();
        KeyedStateHandle checkpoint = snapshot(b, 1, SnapshotType.CHECKPOINT);
        long checkpointed = System.nanoTime();
        assertThat(checkpoint).isInstanceOf(IncrementalKeyedStateHandle.class);
        assertThat(checkpoint.stateSize()).isGreaterThan(1L << 30);
        b.close();

        RocksDbKeyedStateBackend<Long> restored = backend(rocksdb(Map.of()), ALL, List.of(checkpoint));
        long restoredAt = System.nanoTime();
        var state = restored.getState(BYTES);
        for (long k = 0; k < KEYS; k += 997) {
            restored.setCurrentKey(k);
            assertThat(state.value()).as("key %s", k).isEqualTo(value(k, 0, VALUE_SIZE));
        }
        assertThat(restored.keys(BYTES.name()).count()).isEqualTo(KEYS);
        KeyedStateHandle savepoint = snapshot(restored, 2, SnapshotType.SAVEPOINT);
        long savepointed = System.nanoTime();
        assertThat(savepoint).isInstanceOf(KeyGroupsStateHandle.class);
        restored.close();

        KeyGroupRange half = KeyGroups.rangeForSubtask(MAX_PARALLELISM, 2, 1);
        RocksDbKeyedStateBackend<Long> fromSavepoint = backend(rocksdb(Map.of()), half, List.of(savepoint));
        long rescaled = System.nanoTime();
        var halfState = fromSavepoint.getState(BYTES);
        long owned = 0;
        for (long k = 0; k < KEYS; k++) {
            if (half.contains(KeyGroups.keyGroupOf(k, MAX_PARALLELISM))) {
                owned++;
                if (k % 997 == 0) {
                    fromSavepoint.setCurrentKey(k);
                    assertThat(halfState.value()).isEqualTo(value(k, 0, VALUE_SIZE));
                }
            }
        }
        assertThat(fromSavepoint.keys(BYTES.name()).count()).isEqualTo(owned);
        System.out.printf("rocksdb 1 GiB with -Xmx%dm: write %.1f s, incremental checkpoint %.1f s (%,d bytes), "
                + "restore %.1f s, savepoint %.1f s (%,d bytes), restore half from savepoint %.1f s%n",
                Runtime.getRuntime().maxMemory() >> 20, secs(started, written), secs(written, checkpointed),
                checkpoint.checkpointedSize(), secs(checkpointed, restoredAt), secs(restoredAt, savepointed),
                savepoint.checkpointedSize(), secs(savepointed, rescaled));
    }

    private static double secs(long from, long to) {
        return (to - from) / 1e9;
    }
}
