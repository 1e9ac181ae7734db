package dev.cairn.benchmarks.common;

import java.util.Arrays;

/**
 * The contents of the value state while a trial runs: which round last wrote each key, so that any backend can be
 * loaded, changed and checked against it. Keys are {@code 0..keys-1}; round 0 is the initial load.
 */
public final class SnapshotDataset {
    private static final int SAMPLES = 64;

    private final SnapshotSystem system;
    private final int keys;
    private final int valueBytes;
    private final byte[] lastRound;
    private int round;

    public SnapshotDataset(SnapshotSystem system, long stateBytes, int valueBytes) {
        this.system = system;
        this.keys = SnapshotWorkload.keyCount(stateBytes, valueBytes);
        this.valueBytes = valueBytes;
        this.lastRound = new byte[keys];
    }

    public int keys() {
        return keys;
    }

    /** Writes round 0 of every key whose key group is in {@code [firstKeyGroup, lastKeyGroup]}. */
    public void load(SnapshotBackend backend, int firstKeyGroup, int lastKeyGroup) {
        boolean all = firstKeyGroup == 0 && lastKeyGroup == SnapshotWorkload.MAX_PARALLELISM - 1;
        for (long k = 0; k < keys; k++) {
            if (all || owns(k, firstKeyGroup, lastKeyGroup)) {
                backend.put(k, SnapshotWorkload.value(k, 0, valueBytes));
            }
        }
    }

    /** Writes a new round of {@code percent}% of the keys into {@code backend}, which holds every key group. */
    public void change(SnapshotBackend backend, int percent) {
        round++;
        if (round > Byte.MAX_VALUE) {
            throw new IllegalStateException("more than " + Byte.MAX_VALUE + " rounds of changes");
        }
        for (long k : SnapshotWorkload.changedKeys(keys, percent, round)) {
            backend.put(k, SnapshotWorkload.value(k, round, valueBytes));
            lastRound[(int) k] = (byte) round;
        }
    }

    /**
     * Checks that a sample of the keys of key groups {@code [firstKeyGroup, lastKeyGroup]} hold their latest value
     * in {@code backend}.
     *
     * @throws IllegalStateException naming the first key that differs
     */
    public void verify(SnapshotBackend backend, int firstKeyGroup, int lastKeyGroup) {
        long step = Math.max(1, keys / SAMPLES);
        for (long k = 0; k < keys; k += step) {
            if (!owns(k, firstKeyGroup, lastKeyGroup)) {
                continue;
            }
            byte[] actual = backend.get(k);
            byte[] expected = SnapshotWorkload.value(k, lastRound[(int) k], valueBytes);
            if (!Arrays.equals(expected, actual)) {
                throw new IllegalStateException("key " + k + " restored with " + describe(actual)
                        + ", expected round " + lastRound[(int) k]);
            }
        }
    }

    private boolean owns(long key, int firstKeyGroup, int lastKeyGroup) {
        int group = system.keyGroupOf(key);
        return group >= firstKeyGroup && group <= lastKeyGroup;
    }

    private static String describe(byte[] value) {
        return value == null ? "no value" : "a different " + value.length + "-byte value";
    }
}
